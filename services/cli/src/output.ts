import { KeepError, isKeepError } from '@keep/core/errors';

/** keepctl's exit codes: 0 ok, 1 a negative verdict (chain invalid, service down), 2 usage or I/O error. */
export const EXIT_OK = 0;
export const EXIT_NEGATIVE = 1;
export const EXIT_ERROR = 2;

export interface CommandResult {
  exitCode: number;
  /** What `--json` prints: one JSON object. */
  json: unknown;
  /** What a person reads. */
  text: string;
}

export function print(result: CommandResult, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
}

/** Any failure as a result: KeepErrors keep their code, anything else is `io.failed`. */
export function errorResult(error: unknown): CommandResult {
  const keepError = isKeepError(error) ? error : new KeepError('io.failed', error instanceof Error ? error.message : String(error));
  const exitCode = EXIT_ERROR;
  return {
    exitCode,
    json: { ok: false, error: { code: keepError.code, detail: keepError.detail } },
    text: `keepctl: ${keepError.detail} (${keepError.code})`,
  };
}
