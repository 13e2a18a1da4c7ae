import type { CompilerOptions } from '@litko/yara-x';

/**
 * Shared by `compileYaraRules` and the scan worker, so both compile the same way.
 * Kept free of `@keep/core`: the worker imports it and should start fast.
 *
 * A pattern the compiler calls slow would run over many GiB of weights, so it is
 * refused rather than left to stall the quarantine.
 */
export const YARA_COMPILER_OPTIONS: CompilerOptions = { errorOnSlowPattern: true };

/** Compiler messages are multi-line with a source excerpt: keep the error and its position. */
export function summarizeCompilerMessage(message: string): string {
  const lines = message.split('\n').map((l) => l.trim());
  const where = lines.find((l) => l.startsWith('-->'));
  return where === undefined ? (lines[0] ?? '') : `${lines[0] ?? ''} at ${where.slice(3).trim()}`;
}
