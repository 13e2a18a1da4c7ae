/**
 * Source-text patterns of Jinja SSTI payloads. Used only when a template fails
 * to parse (a refusal already), so the reason also says `template.ssti` when the
 * text carries an obvious payload that the parser could not read (`().__class__`).
 */
const SSTI_TEXT_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a dunder name', /__[A-Za-z0-9]+__/],
  ['a Jinja2 gadget global', /\b(?:cycler|joiner|lipsum|url_for|get_flashed_messages)\b/],
  ['the template context', /_TemplateReference__context/],
  ['a process or module handle', /\b(?:popen|subprocess|os\.system|importlib|builtins)\b/],
  ['the attr filter', /\|\s*attr\s*\(/],
  ['an escaped underscore', /\\(?:x5[fF]|u005[fF])/],
  ['a template loader statement', /\{%-?\s*(?:include|import|from|extends)\b/],
];

/** The first few SSTI shapes visible in raw template text. */
export function findSstiText(source: string): string[] {
  return SSTI_TEXT_PATTERNS.filter(([, pattern]) => pattern.test(source)).map(([name]) => name);
}
