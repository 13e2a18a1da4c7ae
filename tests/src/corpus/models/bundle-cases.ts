import { TYPEFLAG, buildTar, type TarEntrySpec } from '@keep/quarantine/testdata';
import { baseGguf } from './benign-models.js';
import { ascii, hostile, type CorpusCase } from './corpus-entry.js';

const manifest = (file = 'model.gguf', extra: Record<string, unknown> = {}): TarEntrySpec => ({ name: 'manifest.json', data: JSON.stringify({ name: 'tiny', file, ...extra }) });
const model = (): TarEntrySpec => ({ name: 'model.gguf', data: baseGguf() });

/** Hostile import bundles: each must be refused before any byte lands outside the job dir. */
export function bundleCases(): CorpusCase[] {
  const tar = (name: string, attack: string, expect: string, entries: TarEntrySpec[], options = {}): CorpusCase =>
    hostile(name, attack, expect, buildTar(entries, options));
  return [
    tar('bundle-traversal.tar', 'bundle-traversal', 'bundle.', [manifest('../model.gguf'), { name: '../model.gguf', data: baseGguf() }]),
    tar('bundle-traversal-nested.tar', 'bundle-traversal', 'bundle.unsafe_path', [manifest(), model(), { name: 'a/../../evil.sh', data: '#!/bin/sh\n' }]),
    tar('bundle-absolute.tar', 'bundle-absolute-path', 'bundle.unsafe_path', [manifest(), { name: '/etc/cron.d/evil', data: '* * * * * root id\n' }]),
    tar('bundle-symlink.tar', 'bundle-link', 'bundle.link', [manifest(), { name: 'model.gguf', type: TYPEFLAG.symlink, linkname: '/etc/shadow', data: '' }]),
    tar('bundle-hardlink.tar', 'bundle-link', 'bundle.link', [manifest(), { name: 'model.gguf', type: TYPEFLAG.hardLink, linkname: '/etc/passwd', data: '' }]),
    tar('bundle-char-device.tar', 'bundle-device', 'bundle.special_file', [manifest(), { name: 'model.gguf', type: TYPEFLAG.charDevice, devmajor: 1, devminor: 3, data: '' }]),
    tar('bundle-fifo.tar', 'bundle-device', 'bundle.special_file', [manifest(), { name: 'model.gguf', type: TYPEFLAG.fifo, data: '' }]),
    tar('bundle-duplicate.tar', 'bundle-duplicate', 'bundle.duplicate_entry', [manifest(), model(), { name: 'MODEL.gguf', data: baseGguf() }]),
    tar('bundle-many-entries.tar', 'bundle-many-entries', 'bundle.', [manifest(), model(), ...Array.from({ length: 40 }, (_, i) => ({ name: `x${i}.bin`, data: 'x' }))]),
    tar('bundle-pax-rename.tar', 'bundle-traversal', 'bundle.unsafe_path', [manifest(), { name: 'model.gguf', data: baseGguf(), pax: { path: '../evil.gguf' } }]),
    tar('bundle-size-lie.tar', 'bundle-truncated', 'bundle.', [manifest(), { name: 'model.gguf', data: baseGguf(), size: 10_000_000 }]),
    tar('bundle-no-manifest.tar', 'bundle-manifest', 'bundle.missing_file', [model()]),
    tar('bundle-bad-manifest.tar', 'bundle-manifest', 'bundle.bad_manifest', [{ name: 'manifest.json', data: '{"name": "x", "file": "model.gguf", "name": "y"}' }, model()]),
    tar('bundle-manifest-missing-file.tar', 'bundle-manifest', 'bundle.', [manifest('other.gguf'), model()]),
    tar('bundle-manifest-sha-mismatch.tar', 'bundle-manifest', 'bundle.digest_mismatch', [manifest('model.gguf', { sha256: 'a'.repeat(64) }), model()]),
    tar('bundle-pickle-model.tar.gz', 'bundle-pickle', 'pickle.', [manifest('model.gguf'), { name: 'model.gguf', data: ascii('cos\nsystem\n(S\'id\'\ntR.') }], { gzip: true }),
    hostile('bundle-gzip-bomb.tar.gz', 'bundle-bomb', 'bundle.too_large', gzipBomb()),
  ];
}

/** 64 MiB of zeros declared as the model: past the expansion floor, compressing about 1000:1. */
function gzipBomb(): Uint8Array {
  return buildTar([manifest(), { name: 'model.gguf', data: new Uint8Array(64 * 1024 * 1024) }], { gzip: true });
}
