import type { JinjaToken } from './jinja-runtime.js';

/** Statements that pull in another template: nothing on the appliance can serve one. */
const LOADER_STATEMENTS: ReadonlySet<string> = new Set(['include', 'import', 'from', 'extends', 'block']);


/**
 * Names of the `{% include %}`, `{% import %}`, `{% from %}`, `{% extends %}`
 * and `{% block %}` statements in a token stream. @huggingface/jinja does not
 * parse them, so they are found here, before parsing, and refused as SSTI
 * rather than only as a parse error.
 */
export function findLoaderStatements(tokens: readonly JinjaToken[]): string[] {
  const found = new Set<string>();
  tokens.forEach((token, i) => {
    const next = tokens[i + 1];
    if (token.type === 'OpenStatement' && next?.type === 'Identifier' && LOADER_STATEMENTS.has(next.value)) found.add(next.value);
  });
  return [...found];
}
