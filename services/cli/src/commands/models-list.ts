import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';
import { callRegistry, humanSize, verifiedText, type ModelSummary } from './models-client.js';

/** `keepctl models list`: every promoted model with its state and last verify. */
export async function modelsList(context: CliContext): Promise<CommandResult> {
  const answer = await callRegistry(context, 'read', 'GET', '/v1/models');
  const models = answer['models'] as ModelSummary[];
  const rows = models.map((m) => [m.name, m.state, m.format, humanSize(m.size), m.sha256.slice(0, 12), verifiedText(m)]);
  const widths = [4, 5, 6, 4, 12].map((min, i) => Math.max(min, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i] as number) : c)).join('  ').trimEnd();
  const text = models.length === 0 ? 'no models promoted' : [line(['NAME', 'STATE', 'FORMAT', 'SIZE', 'SHA256', 'VERIFIED']), ...rows.map(line)].join('\n');
  return { exitCode: EXIT_OK, json: { ok: true, models }, text };
}
