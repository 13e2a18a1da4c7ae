import { validate } from '@litko/yara-x';
import { YARA_COMPILER_OPTIONS, summarizeCompilerMessage } from './yara-compiler-options.js';
import { YaraError } from './yara-reasons.js';

/**
 * Rule source that compiled. The scan runs in a worker thread and compiled rules
 * cannot cross threads, so this carries the source and the worker compiles it again.
 */
export interface CompiledYaraRules {
  readonly source: string;
  /** Compiler warnings, first line of each, for the operator's log. */
  readonly warnings: readonly string[];
}

/**
 * Checks that `source` compiles and declares at least one rule: a pass with no
 * rule would call every file clean, so an empty set fails closed.
 *
 * @example
 *   const rules = compileYaraRules(DEFAULT_YARA_RULES);
 *
 * @throws YaraError `yara.rules_invalid` naming the first compiler error
 * @throws TypeError when `source` is not a string
 */
export function compileYaraRules(source: string): CompiledYaraRules {
  if (typeof source !== 'string') throw new TypeError(`YARA source must be a string, got ${typeof source}`);
  if (!declaresRule(source)) throw new YaraError('yara.rules_invalid', 'Cannot compile YARA rules: the source declares no rule');
  const result = validate(source, YARA_COMPILER_OPTIONS);
  const first = result.errors[0];
  if (first !== undefined) throw new YaraError('yara.rules_invalid', `Cannot compile YARA rules: ${summarizeCompilerMessage(first.message)}`);
  return Object.freeze({ source, warnings: Object.freeze(result.warnings.map((w) => summarizeCompilerMessage(w.message))) });
}

/** Approximate: comments removed, then a `rule name` must remain. The compiler checks the rest. */
function declaresRule(source: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  return /(^|[\s}])rule\s+[A-Za-z_]/.test(code);
}
