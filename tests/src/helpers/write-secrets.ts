/**
 * Child process for the secret corpus test: pushes every secret shape through audit
 * rows (as free text, under secret-named keys, in actor and target) and through the
 * service logger on stdout, then says "done" and holds the store open so the WAL is
 * still on disk when the parent reads it.
 */
import { join } from 'node:path';
import { AUDIT_MIGRATIONS, AuditWriter, createLogger, migrate, openStore, readHexKey, storePath } from '@keep/core';
import { SECRET_SHAPES } from '../corpus/secret-shapes.js';

const stateDir = process.argv[2] as string;
const store = openStore(storePath(stateDir));
migrate(store, 'audit', AUDIT_MIGRATIONS);
const writer = new AuditWriter({ store, service: 'airlock', macKey: readHexKey(join(stateDir, 'credentials'), 'mac.airlock'), clock: Date.now });
const log = createLogger({ service: 'keep-airlock', level: 'debug' });

const appends = SECRET_SHAPES.flatMap((shape) => [
  writer.append({ actor: `user:${shape.carrier}`, action: 'egress.fetch', target: shape.carrier, decision: 'deny', reason: 'egress.secret_in_request', details: { note: shape.carrier, nested: { headers: [shape.carrier] } } }),
  writer.append({ actor: 'user:ana', action: 'egress.fetch', decision: 'allow', details: { password: shape.secret, apiKey: shape.secret, authorization: shape.secret } }),
]);
for (const shape of SECRET_SHAPES) {
  log.info(shape.carrier, { request: { url: shape.carrier, token: shape.secret } });
  log.error('Fetch failed', { error: new Error(`upstream refused: ${shape.carrier}`) });
}
await Promise.all(appends);
process.stdout.write('done\n');
setInterval(() => {}, 1000);
