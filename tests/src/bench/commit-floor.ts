import { openStore } from '@keep/core';

/**
 * What one durable commit (a row in its own transaction, `synchronous=FULL`) costs on
 * this disk, whatever Keep does: the floor under every "+ durable audit" figure.
 */
export function commitFloor(file: string, rows: number): { p50Ms: number; p99Ms: number } {
  const db = openStore(file);
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const ms: number[] = [];
    for (let i = 0; i < rows; i++) {
      const t0 = performance.now();
      insert.run('x'.repeat(200));
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const at = (q: number): number => Math.round((ms[Math.floor(rows * q)] ?? 0) * 1000) / 1000;
    return { p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    db.close();
  }
}
