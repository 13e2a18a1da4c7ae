/**
 * One scan in its own process, so its peak RSS is the scan's alone: structural parse of
 * the header, then scanFileOnce. Prints one JSON line for scan-bench.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseGguf } from '@keep/quarantine';
// The package index does not export the scan yet; the built module is imported directly.
import { layoutFromGguf } from '../../../services/quarantine/dist/checks/tensor-values/tensor-layout.js';
import { scanFileOnce } from '../../../services/quarantine/dist/scan/scan-once.js';

export function readHeader(path: string): { header: Extract<ReturnType<typeof parseGguf>, { kind: 'header' }>['header']; size: number; readBytes: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // One read covers a Llama 3 header (~9 MB of tokenizer); parseGguf asks for more if not.
    let want = Math.min(size, 16 * 1024 * 1024);
    for (;;) {
      const prefix = new Uint8Array(want);
      const got = readSync(fd, prefix, 0, want, 0);
      const parsed = parseGguf(prefix.subarray(0, got), size);
      if (parsed.kind === 'header') return { header: parsed.header, size, readBytes: got };
      want = parsed.atLeast;
    }
  } finally {
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (path === undefined) throw new TypeError('usage: scan-bench-child.js FILE');
  const { header, size } = readHeader(path);
  const layout = layoutFromGguf(header, size);
  // Timed from here: the structural parse has its own figure.
  const start = performance.now();
  const result = await scanFileOnce(path, layout);
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(`${JSON.stringify({
    seconds, sha256: result.sha256, bytes: result.bytes, tensors: result.tensors.length,
    reasons: result.reasons.map((r) => r.code), maxRssKiB: process.resourceUsage().maxRSS,
  })}\n`);
}

if (process.argv[1]?.endsWith('scan-bench-child.js')) await main();
