import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInLlamaChild } from '../../helpers/llama-child.js';
import { KEEPCTL } from '../../helpers/run-keepctl.js';
import { writeHostileCorpus, type HostileEntry } from './write-hostile-corpus.js';

/** One GGUF per attack class by default; `KEEP_FULL_DIFFERENTIAL=1` loads every hostile GGUF. */
function pick(entries: HostileEntry[]): HostileEntry[] {
  const ggufs = entries.filter((e) => e.file.endsWith('.gguf'));
  if (process.env['KEEP_FULL_DIFFERENTIAL'] === '1') return ggufs;
  const seen = new Set<string>();
  return ggufs.filter((e) => !seen.has(e.attack) && seen.add(e.attack));
}

test('every hostile GGUF that node-llama-cpp refuses to load, keepctl scan refuses too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-llama-diff-'));
  try {
    const chosen = pick(writeHostileCorpus(dir));
    const rows: Array<{ name: string; attack: string; llama: boolean; keep: boolean; why: string }> = [];
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      while (next < chosen.length) {
        const entry = chosen[next++]!;
        // Each load in its own child: an abort or crash there is a refusal, never ours.
        const llama = await loadInLlamaChild(entry.file, { timeoutMs: 30_000 });
        const scan = spawnSync(process.execPath, [KEEPCTL, 'scan', entry.file, '--json'], { encoding: 'utf8', timeout: 60_000 });
        const keepRefused = scan.status === 1;
        rows.push({ name: entry.file.slice(dir.length + 1), attack: entry.attack, llama: llama.loaded, keep: !keepRefused, why: llama.error?.slice(0, 80) ?? '' });
      }
    }));
    const bothRefuse = rows.filter((r) => !r.llama && !r.keep).length;
    const stricter = rows.filter((r) => r.llama && !r.keep);
    t.diagnostic(`${rows.length} hostile GGUFs: node-llama-cpp refused ${rows.filter((r) => !r.llama).length}, keepctl scan refused ${rows.filter((r) => !r.keep).length}; both refused ${bothRefuse}`);
    t.diagnostic(`loaded by node-llama-cpp but refused here (${stricter.length}): ${stricter.map((r) => r.attack).join(', ')}`);
    assert.ok(rows.length >= 40, `only ${rows.length} GGUFs loaded`);
    assert.ok(rows.some((r) => !r.llama), 'node-llama-cpp refuses some of them: the comparison is not vacuous');
    assert.deepEqual(rows.filter((r) => !r.llama && r.keep).map((r) => r.name), [], 'a file llama.cpp refuses must never pass the quarantine');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
