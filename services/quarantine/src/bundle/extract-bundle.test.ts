import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from './bundle-error.js';
import { resolveBundleLimits } from './bundle-limits.js';
import { extractBundle } from './extract-bundle.js';
import { listBundle } from './list-bundle.js';
import { buildTar } from './testdata/build-tar.js';

const manifest = JSON.stringify({ name: 'm', file: 'model.gguf' });

// The second pass re-reads the file: if it changed in between, it must not write
// anything the first pass did not check.
test('extractBundle() refuses an archive that changed since listBundle()', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'keep-extract-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const limits = resolveBundleLimits();
  const cases = [
    ['model size', buildTar([{ name: 'manifest.json', data: manifest }, { name: 'model.gguf', data: 'GGUF+more' }])],
    ['manifest bytes', buildTar([{ name: 'manifest.json', data: manifest.replace('"m"', '"x"') }, { name: 'model.gguf', data: 'GGUF' }])],
    ['an entry dropped', buildTar([{ name: 'manifest.json', data: manifest }])],
  ] as const;
  for (const [title, changed] of cases) {
    const path = join(root, `${title}.tar`);
    const jobDir = join(root, `${title}-job`);
    await mkdir(jobDir);
    await writeFile(path, buildTar([{ name: 'manifest.json', data: manifest }, { name: 'model.gguf', data: 'GGUF' }]));
    const handle = await open(path, 'r+');
    try {
      const listing = await listBundle(handle, false, limits);
      await handle.write(changed, 0, changed.length, 0);
      await handle.truncate(changed.length);
      const created: string[] = [];
      await assert.rejects(extractBundle(handle, false, limits, listing, jobDir, created), (e) => e instanceof BundleError && e.code === 'bundle.corrupt', title);
      // Whatever it created is reported, so unpackBundle() can remove it.
      assert.deepEqual((await readdir(jobDir)).map((name) => join(jobDir, name)).sort(), [...created].sort(), title);
    } finally {
      await handle.close();
    }
  }
});
