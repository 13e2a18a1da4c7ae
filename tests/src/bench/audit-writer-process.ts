/**
 * One writer process of the audit benchmark: on "go", appends `count` rows with
 * `inFlight` appends outstanding at a time (as a busy service would), then reports.
 */
import { AUDIT_MIGRATIONS, AuditWriter, migrate, openStore, readHexKey, storePath } from '@keep/core';
import { join } from 'node:path';

const [stateDir, service, countText, inFlightText] = process.argv.slice(2);
if (!stateDir || !service || !countText || !inFlightText) throw new Error('usage: audit-writer-process STATE SERVICE COUNT IN_FLIGHT');
const count = Number(countText);
const inFlight = Number(inFlightText);
const store = openStore(storePath(stateDir));
migrate(store, 'audit', AUDIT_MIGRATIONS);
const writer = new AuditWriter({ store, service, macKey: readHexKey(join(stateDir, 'credentials'), `mac.${service}`), clock: Date.now });

async function run(): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await writer.append({
        actor: `session:${i % 7}`, action: 'tool.decide', target: 'read_file', decision: i % 5 === 0 ? 'deny' : 'allow',
        reason: i % 5 === 0 ? 'tool.path_outside_root' : 'ok', details: { args_sha256: 'ab'.repeat(32), rule: `rule-${i % 13}`, i },
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  store.close();
}

process.on('message', (message) => {
  if (message !== 'go') return;
  run().then(() => process.send?.({ done: count }, () => process.exit(0)), (error: unknown) => {
    process.stderr.write(`writer failed: ${String(error)}\n`);
    process.exit(1);
  });
});
process.send?.('ready');
