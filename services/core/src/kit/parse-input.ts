import { z } from 'zod';
import { KeepError } from '../errors.js';

/**
 * Validates untrusted input (a body, a query) with a zod schema; on failure a
 * `http.invalid_body` 400 that names the first bad field.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'Request body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  throw new KeepError('http.invalid_body', `${what} is invalid${where}: ${issue?.message ?? 'unknown problem'}`, { status: 400 });
}
