/**
 * Child process for the crash test: appends to the chain as fast as group commit
 * allows and prints `seq hash` for every append whose promise resolved. Whatever
 * reached stdout was reported durable; the parent kills this process at random.
 */
import { AUDIT_MIGRATIONS, AuditWriter, migrate, openStore, readHexKey, storePath } from '@keep/core';
import { join } from 'node:path';

const stateDir = process.argv[2];
if (!stateDir) throw new Error('usage: append-burst STATE_DIR');
const store = openStore(storePath(stateDir));
migrate(store, 'audit', AUDIT_MIGRATIONS);
const writer = new AuditWriter({ store, service: 'quarantine', macKey: readHexKey(join(stateDir, 'credentials'), 'mac.quarantine'), clock: Date.now });

let n = 0;
function one(): void {
  const i = n++;
  writer.append({ actor: 'job:burst', action: 'scan.progress', target: `job-${i}`, decision: 'info', details: { i, bytes: i * 4096 } }).then(
    (receipt) => {
      process.stdout.write(`${receipt.seq} ${receipt.hash}\n`);
      one();
    },
    (error: unknown) => {
      process.stderr.write(`append failed: ${String(error)}\n`);
      process.exit(3);
    },
  );
}
for (let k = 0; k < 64; k++) one();
