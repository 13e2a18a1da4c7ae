import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { KeepError, messageOf } from '../errors.js';
import type { KeepEnv } from './env.js';

export interface LoadConfigOptions<S extends z.ZodType> {
  /** Service name: the file is `<configDir>/<service>.yaml`. */
  service: string;
  schema: S;
  env: KeepEnv;
}

export interface LoadedConfig<T> {
  config: T;
  /** The file read, or null when it does not exist and defaults apply. */
  file: string | null;
}

const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * Reads `/etc/keep/<service>.yaml` (or `$KEEP_CONFIG_DIR/<service>.yaml`), applies
 * the documented environment overrides, and validates with the service's strict
 * schema. A missing file means all defaults, which are the secure ones. Any
 * problem names the file and the key: `config.unknown_key` for a key the schema
 * does not know (with the closest known key), `config.invalid` for a bad value.
 */
export function loadConfig<S extends z.ZodType>(options: LoadConfigOptions<S>): LoadedConfig<z.output<S>> {
  const file = join(options.env.configDir ?? '/etc/keep', `${options.service}.yaml`);
  const raw = readConfigFile(file);
  const input = { ...(raw ?? {}) };
  if (options.env.stateDir !== undefined) input['stateDir'] = options.env.stateDir;
  if (options.env.listen !== undefined) input['listen'] = options.env.listen;
  if (options.env.logLevel !== undefined) input['logLevel'] = options.env.logLevel;
  if (options.env.credentialsDir !== undefined) input['credentialsDir'] = options.env.credentialsDir;
  const result = options.schema.safeParse(input);
  if (!result.success) throw configError(result.error, file, options.schema);
  return { config: result.data, file: raw === null ? null : file };
}

/**
 * Reads one YAML file (a policy, say) against a strict schema, with the same errors
 * as `loadConfig`. A missing file yields the schema's defaults when `missingOk`.
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, options: { missingOk: boolean }): z.output<S> {
  const raw = readConfigFile(file);
  if (raw === null && !options.missingOk) throw new KeepError('config.unreadable', `No file at ${file}`, { status: 500 });
  const result = schema.safeParse(raw ?? {});
  if (!result.success) throw configError(result.error, file, schema);
  return result.data;
}

function readConfigFile(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeepError('config.unreadable', `Cannot read config ${file}: ${messageOf(error)}`, { status: 500, cause: error });
  }
  if (text.length > MAX_CONFIG_BYTES) throw new KeepError('config.invalid', `Config ${file} is ${text.length} bytes, limit is ${MAX_CONFIG_BYTES}`);
  let parsed: unknown;
  try {
    // Aliases are capped: a YAML bomb in a config file must not hang start-up.
    parsed = parseYaml(text, { uniqueKeys: true, maxAliasCount: 50, prettyErrors: true });
  } catch (error) {
    throw new KeepError('config.invalid', `Cannot parse config ${file}: ${messageOf(error).split('\n')[0]}`, { cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new KeepError('config.invalid', `Config ${file} must be a mapping of keys to values`);
  return parsed as Record<string, unknown>;
}

function configError(error: z.ZodError, file: string, schema: z.ZodType): KeepError {
  const issue = error.issues[0] as z.core.$ZodIssue;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = [...issue.path, key].join('.');
    const hint = closestKey(key, knownKeys(schema, issue.path));
    return new KeepError('config.unknown_key', `Unknown key "${path}" in ${file}${hint ? `, did you mean "${hint}"?` : ''}`, { extra: { key: path, file } });
  }
  return new KeepError('config.invalid', `Invalid value for "${where}" in ${file}: ${issue.message}`, { extra: { key: where, file } });
}

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const segment of path) {
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    node = shape?.[String(segment)];
    while (node && typeof node === 'object' && 'unwrap' in node && !('shape' in node)) node = (node as { unwrap(): unknown }).unwrap();
  }
  const shape = (node as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** The known key within edit distance 2, if any: `lisen` → `listen`. */
function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
