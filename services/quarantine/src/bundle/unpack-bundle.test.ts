import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BundleError, type BundleCode } from './bundle-error.js';
import type { BundleLimits } from './bundle-limits.js';
import { unpackBundle } from './unpack-bundle.js';
import { buildTar, TYPEFLAG, type BuildTarOptions, type TarEntrySpec } from './testdata/build-tar.js';

const model = new Uint8Array(100_000).map((_, i) => (i * 31 + 7) & 0xff);
model.set([0x47, 0x47, 0x55, 0x46]); // "GGUF"
const modelSha256 = createHash('sha256').update(model).digest('hex');
const manifest = { name: 'Tiny Model', file: 'model.gguf', sha256: modelSha256, signature: 'model.gguf.sig', source: 'keep tests' };

function manifestEntry(value: unknown = manifest): TarEntrySpec {
  return { name: 'manifest.json', data: JSON.stringify(value) };
}
const modelEntry: TarEntrySpec = { name: 'model.gguf', data: model };
const signatureEntry: TarEntrySpec = { name: 'model.gguf.sig', data: 'signature bytes' };
const good = [manifestEntry(), modelEntry, signatureEntry];
const plain = { name: 'Tiny Model', file: 'model.gguf' };

interface Dirs {
  root: string;
  archive: string;
  jobDir: string;
  sentinel: string;
}

// root/{bundle, job/, sentinel/keep.txt}: "../x" from job/ lands in root, where it shows.
async function dirs(t: TestContext): Promise<Dirs> {
  const root = await mkdtemp(join(tmpdir(), 'keep-bundle-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const d = { root, archive: join(root, 'bundle'), jobDir: join(root, 'job'), sentinel: join(root, 'sentinel') };
  await mkdir(d.jobDir);
  await mkdir(d.sentinel);
  await writeFile(join(d.sentinel, 'keep.txt'), 'untouched');
  return d;
}

async function unpack(t: TestContext, archive: Uint8Array, limits?: Partial<BundleLimits>) {
  const d = await dirs(t);
  await writeFile(d.archive, archive);
  return { d, result: await unpackBundle(d.archive, d.jobDir, limits) };
}

async function assertUntouched(d: Dirs): Promise<void> {
  assert.deepEqual(await readdir(d.jobDir), [], 'jobDir is empty');
  assert.deepEqual((await readdir(d.root)).sort(), ['bundle', 'job', 'sentinel'], 'nothing new beside jobDir');
  assert.deepEqual(await readdir(d.sentinel), ['keep.txt']);
  assert.equal(await readFile(join(d.sentinel, 'keep.txt'), 'utf8'), 'untouched');
}

async function refusedBytes(t: TestContext, archive: Uint8Array, code: BundleCode, limits?: Partial<BundleLimits>): Promise<BundleError> {
  const d = await dirs(t);
  await writeFile(d.archive, archive);
  const error = await unpackBundle(d.archive, d.jobDir, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof BundleError, `expected a BundleError, got ${String(error)}`);
  assert.equal(error.code, code, error.detail);
  await assertUntouched(d);
  return error;
}

function refused(t: TestContext, entries: TarEntrySpec[], code: BundleCode, options?: BuildTarOptions & { limits?: Partial<BundleLimits> }): Promise<BundleError> {
  return refusedBytes(t, buildTar(entries, options), code, options?.limits);
}

// For t.test(): a subtest that expects the refusal.
function rejects(entries: TarEntrySpec[], code: BundleCode, options?: BuildTarOptions & { limits?: Partial<BundleLimits> }) {
  return async (t: TestContext): Promise<void> => {
    await refused(t, entries, code, options);
  };
}
function rejectsBytes(archive: Uint8Array, code: BundleCode) {
  return async (t: TestContext): Promise<void> => {
    await refusedBytes(t, archive, code);
  };
}

test('unpackBundle() unpacks a plain bundle: files 0644 (the scan worker re-opens the model), digest checked, counts', async (t) => {
  const { d, result } = await unpack(t, buildTar(good));
  assert.deepEqual(result.manifest, manifest);
  assert.equal(result.modelPath, join(d.jobDir, 'model.gguf'));
  assert.equal(result.signaturePath, join(d.jobDir, 'model.gguf.sig'));
  assert.equal(result.modelSha256, modelSha256);
  assert.equal(result.entries, 3);
  assert.equal(result.bytes, JSON.stringify(manifest).length + model.length + 'signature bytes'.length);
  assert.deepEqual(new Uint8Array(await readFile(result.modelPath)), model);
  assert.equal(await readFile(join(d.jobDir, 'model.gguf.sig'), 'utf8'), 'signature bytes');
  assert.deepEqual((await readdir(d.jobDir)).sort(), ['manifest.json', 'model.gguf', 'model.gguf.sig']);
  for (const name of await readdir(d.jobDir)) assert.equal((await stat(join(d.jobDir, name))).mode & 0o7777, 0o644, name);
});

test('unpackBundle() unpacks a gzipped bundle, told apart by content', async (t) => {
  const { result } = await unpack(t, buildTar(good, { gzip: true }));
  assert.equal(result.modelSha256, modelSha256);
  assert.deepEqual(new Uint8Array(await readFile(result.modelPath)), model);
});

test('unpackBundle() takes a bundle without signature or sha256, model before manifest, GNU magic, PAX times', async (t) => {
  const entries: TarEntrySpec[] = [
    { ...modelEntry, format: 'gnu', pax: { path: 'model.gguf', mtime: '1700000000.25' } },
    { ...manifestEntry(plain), type: TYPEFLAG.oldFile },
  ];
  const { result } = await unpack(t, buildTar(entries, { trailing: new Uint8Array(8192) }));
  assert.equal(result.signaturePath, null);
  assert.equal(result.entries, 2);
  assert.equal(result.modelSha256, modelSha256);
});

test('unpackBundle() refuses path traversal, absolute and odd names', async (t) => {
  const absolute = join(tmpdir(), `keep-bundle-evil-${process.pid}`);
  for (const name of ['../x', 'a/../../x', absolute, './model.gguf', 'a\\..\\..\\x', '.hidden', '-rf', 'mödel.gguf', 'a/model.gguf']) {
    await t.test(name, rejects([manifestEntry(), { name, data: 'x' }], 'bundle.unsafe_path'));
  }
  assert.equal(existsSync(absolute), false);
  await t.test('a NUL then a newline in the name field', rejects([manifestEntry(), { name: new TextEncoder().encode('model.gguf\0\n/../x'), data: 'x' }], 'bundle.unsafe_path'),
  );
  await t.test('an empty name (tar refuses the header)', rejects([manifestEntry(), { name: '', data: 'x' }], 'bundle.corrupt'));
});

test('unpackBundle() refuses names that PAX or GNU headers make unsafe', async (t) => {
  await t.test('PAX path ../evil', rejects([manifestEntry(), { ...modelEntry, pax: { path: '../evil' } }], 'bundle.unsafe_path'));
  await t.test('PAX path with a NUL', rejects([manifestEntry(), { ...modelEntry, pax: { path: 'model.gguf\0/../../evil' } }], 'bundle.unsafe_path'));
  await t.test('GNU long name ../evil', rejects([manifestEntry(), { ...modelEntry, longName: '../evil' }], 'bundle.unsafe_path'));
  await t.test('PAX path under a ustar prefix', rejects([manifestEntry(), { ...modelEntry, prefix: '..', pax: { path: 'model.gguf' } }], 'bundle.unsafe_path'),
  );
  await t.test('PAX size 1e400', rejects([manifestEntry(), { ...modelEntry, pax: { size: '1e400' } }], 'bundle.corrupt'));
  await t.test('an oversized PAX header', rejects([manifestEntry(), { ...modelEntry, pax: { comment: 'x'.repeat(70_000) } }], 'bundle.too_large'));
});

test('unpackBundle() refuses links, devices, FIFOs, directories and unknown types', async (t) => {
  const cases: [string, TarEntrySpec, BundleCode][] = [
    ['symlink', { name: 'model.gguf', type: TYPEFLAG.symlink, linkname: '/etc/passwd' }, 'bundle.link'],
    ['hard link', { name: 'model.gguf', type: TYPEFLAG.hardLink, linkname: 'manifest.json' }, 'bundle.link'],
    ['char device', { name: 'model.gguf', type: TYPEFLAG.charDevice, devmajor: 1, devminor: 3 }, 'bundle.special_file'],
    ['block device', { name: 'model.gguf', type: TYPEFLAG.blockDevice, devmajor: 8 }, 'bundle.special_file'],
    ['FIFO', { name: 'model.gguf', type: TYPEFLAG.fifo }, 'bundle.special_file'],
    ['directory', { name: 'models/', type: TYPEFLAG.directory }, 'bundle.special_file'],
    ['contiguous file', { name: 'model.gguf', type: TYPEFLAG.contiguous, data: 'x' }, 'bundle.special_file'],
    ['GNU sparse file', { name: 'model.gguf', type: TYPEFLAG.gnuSparse, data: 'x' }, 'bundle.special_file'],
    ['unknown type Z', { name: 'model.gguf', type: 'Z', data: 'x' }, 'bundle.special_file'],
  ];
  for (const [title, entry, code] of cases) await t.test(title, rejects([manifestEntry(plain), entry], code));
});

test('unpackBundle() refuses duplicate names, also under case folding', async (t) => {
  await t.test('same name', rejects([manifestEntry(plain), modelEntry, modelEntry], 'bundle.duplicate_entry'));
  await t.test('case only', rejects([modelEntry, { name: 'MODEL.gguf', data: 'x' }, manifestEntry(plain)], 'bundle.duplicate_entry'));
  await t.test('two manifests', rejects([manifestEntry(plain), modelEntry, manifestEntry(plain)], 'bundle.duplicate_entry'));
});

test('unpackBundle() refuses 50 entries', async (t) => {
  const entries = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: 'x' }));
  // The manifest last, so no entry is refused for its role first.
  await refused(t, [...entries, manifestEntry(plain)], 'bundle.too_many_entries');
});

test('unpackBundle() refuses declared sizes over their caps before reading them', async (t) => {
  // 1 GiB declared, no data behind it: refused on the header alone.
  await t.test('model', rejects([manifestEntry(plain), { name: 'model.gguf', size: 1024 ** 3 }], 'bundle.too_large', { endMarker: false, limits: { maxModelBytes: 1024 * 1024 } }),
  );
  await t.test('model past 8 GiB (base-256 size)', rejects([manifestEntry(plain), { name: 'model.gguf', size: 300 * 1024 ** 3 }], 'bundle.too_large', { endMarker: false }),
  );
  await t.test('manifest', rejects([{ name: 'manifest.json', data: ' '.repeat(17 * 1024) }], 'bundle.too_large'));
  await t.test('signature', rejects(good, 'bundle.too_large', { limits: { maxSignatureBytes: 8 } }));
  await t.test('signature before the manifest', rejects([signatureEntry, modelEntry, manifestEntry()], 'bundle.too_large', { limits: { maxSignatureBytes: 8 } }),
  );
});

test('unpackBundle() refuses a gzip bomb on its expansion ratio', async (t) => {
  // 1 GiB declared and under the cap; 16 MiB of zeros is enough to cross the ratio.
  const tar = buildTar([manifestEntry(plain), { name: 'model.gguf', size: 1024 ** 3, data: new Uint8Array(16 * 1024 * 1024) }], { endMarker: false });
  const started = Date.now();
  const error = await refusedBytes(t, gzipSync(tar), 'bundle.too_large', { maxModelBytes: 2 * 1024 ** 3, maxExpansionRatio: 10 });
  assert.match(error.detail, /Gzip expands/);
  assert.ok(Date.now() - started < 5000);
});

test('unpackBundle() refuses truncated and corrupt archives', async (t) => {
  const whole = buildTar([manifestEntry(plain), modelEntry]);
  await t.test('size lie: header says 10, the archive ends after 3', rejects([manifestEntry(plain), { name: 'model.gguf', size: 10, data: 'abc' }], 'bundle.corrupt', { endMarker: false }),
  );
  await t.test('size lie that swallows the end marker', rejects([manifestEntry(plain), { name: 'model.gguf', size: 5000, data: 'abc' }], 'bundle.corrupt'),
  );
  await t.test('cut inside a header', rejectsBytes(whole.subarray(0, 1024 + 100), 'bundle.corrupt'));
  await t.test('cut inside data', rejectsBytes(whole.subarray(0, 1024 + 512 + 5000), 'bundle.corrupt'));
  await t.test('no end marker', rejects([manifestEntry(plain), modelEntry], 'bundle.corrupt', { endMarker: false }));
  await t.test('bad checksum', rejects([manifestEntry(plain), { ...modelEntry, checksum: 1 }], 'bundle.corrupt'));
  const gz = buildTar([manifestEntry(plain), modelEntry], { gzip: true });
  await t.test('truncated gzip', rejectsBytes(gz.subarray(0, gz.length - 20), 'bundle.corrupt'));
  await t.test('over 1 MiB after the end marker', rejects([manifestEntry(plain), modelEntry], 'bundle.corrupt', { trailing: new Uint8Array(3 * 1024 * 1024).fill(0x41) }),
  );
});

test('unpackBundle() refuses what is not a tar', async (t) => {
  await t.test('text', rejectsBytes(new TextEncoder().encode('{"name":"x"}'), 'bundle.not_tar'));
  await t.test('empty file', rejectsBytes(new Uint8Array(0), 'bundle.not_tar'));
  await t.test('v7 tar without ustar magic', rejects([{ ...manifestEntry(plain), format: 'v7' }, modelEntry], 'bundle.not_tar'));
  await t.test('gzip of text', rejectsBytes(gzipSync('hello'), 'bundle.not_tar'));
  await t.test('gzip inside gzip', rejectsBytes(gzipSync(buildTar(good, { gzip: true })), 'bundle.not_tar'));
});

test('unpackBundle() refuses a missing, invalid or dishonest manifest', async (t) => {
  const cases: [string, TarEntrySpec[], BundleCode][] = [
    ['missing', [modelEntry], 'bundle.missing_file'],
    ['not JSON', [{ name: 'manifest.json', data: '{name:' }, modelEntry], 'bundle.bad_manifest'],
    ['a BOM', [{ name: 'manifest.json', data: `\ufeff${JSON.stringify(plain)}` }, modelEntry], 'bundle.bad_manifest'],
    ['a duplicate key', [{ name: 'manifest.json', data: '{"name":"a","file":"model.gguf","file":"other"}' }, modelEntry], 'bundle.bad_manifest'],
    ['an unknown key', [manifestEntry({ ...plain, exec: 'rm -rf /' }), modelEntry], 'bundle.bad_manifest'],
    ['no name', [manifestEntry({ file: 'model.gguf' }), modelEntry], 'bundle.bad_manifest'],
    ['a control character in name', [manifestEntry({ ...plain, name: 'a\u001b[2Jb' }), modelEntry], 'bundle.bad_manifest'],
    ['an uppercase sha256', [manifestEntry({ ...plain, sha256: modelSha256.toUpperCase() }), modelEntry], 'bundle.bad_manifest'],
    ['file names manifest.json', [manifestEntry({ ...plain, file: 'manifest.json' }), modelEntry], 'bundle.bad_manifest'],
    ['file is a path', [manifestEntry({ ...plain, file: '../model.gguf' }), modelEntry], 'bundle.bad_manifest'],
    ['file not in the archive', [manifestEntry({ ...plain, file: 'other.gguf' }), modelEntry], 'bundle.unexpected_entry'],
    ['file not in the archive, only the manifest', [manifestEntry(plain)], 'bundle.missing_file'],
    ['signature not in the archive', [manifestEntry({ ...plain, signature: 'model.sig' }), modelEntry], 'bundle.missing_file'],
    ['an extra file', [manifestEntry(plain), modelEntry, { name: 'readme.txt', data: 'hi' }], 'bundle.unexpected_entry'],
    ['an extra file before the manifest', [{ name: 'readme.txt', data: 'hi' }, modelEntry, manifestEntry(plain)], 'bundle.unexpected_entry'],
  ];
  for (const [title, entries, code] of cases) await t.test(title, rejects(entries, code));
});

test('unpackBundle() removes what it wrote when the model does not match the manifest sha256', async (t) => {
  const wrong = { ...manifest, sha256: '0'.repeat(64) };
  const error = await refused(t, [manifestEntry(wrong), modelEntry, signatureEntry], 'bundle.digest_mismatch');
  assert.equal(error.status, 422);
});

test('unpackBundle() needs an existing, empty, real job directory', async (t) => {
  const d = await dirs(t);
  await writeFile(d.archive, buildTar(good));
  const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof BundleError ? e.code : String(e)));
  await writeFile(join(d.jobDir, 'existing'), 'mine');
  assert.equal(await code(unpackBundle(d.archive, d.jobDir)), 'bundle.bad_job_dir');
  assert.equal(await readFile(join(d.jobDir, 'existing'), 'utf8'), 'mine');
  assert.equal(await code(unpackBundle(d.archive, join(d.root, 'missing'))), 'bundle.bad_job_dir');
  await symlink(d.sentinel, join(d.root, 'link'));
  assert.equal(await code(unpackBundle(d.archive, join(d.root, 'link'))), 'bundle.bad_job_dir');
  assert.deepEqual(await readdir(d.sentinel), ['keep.txt']);
  await assert.rejects(unpackBundle(d.archive, d.jobDir, { maxEntries: 0 }), TypeError);
});
