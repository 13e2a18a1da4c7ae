/**
 * What a chat template may call, filter and test with. Default deny: anything not
 * listed is refused. The lists hold what widely used templates (ChatML, Llama 2/3,
 * Mistral, Gemma, Phi-3, Qwen2.5, DeepSeek, Hermes, Command-R) actually use.
 */

/** Methods on strings and mappings: the `x.strip()` forms. No `format` (`'{0.__class__}'.format(x)`). */
export const ALLOWED_METHODS: ReadonlySet<string> = new Set([
  'strip', 'lstrip', 'rstrip', 'split', 'startswith', 'endswith', 'upper', 'lower', 'title', 'capitalize', 'replace',
  'items', 'keys', 'values', 'get',
]);

/** Global functions a template may call; each only in call position, never passed around. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set(['raise_exception', 'range', 'namespace', 'strftime_now']);

/** Filters. No `attr` (the classic denylist dodge), no `format` (`'%c'` builds names). */
export const ALLOWED_FILTERS: ReadonlySet<string> = new Set([
  'trim', 'tojson', 'length', 'count', 'upper', 'lower', 'title', 'capitalize', 'first', 'last', 'join', 'default', 'd',
  'safe', 'string', 'int', 'float', 'bool', 'abs', 'round', 'list', 'items', 'dictsort', 'sort', 'unique', 'reverse',
  'map', 'select', 'reject', 'selectattr', 'rejectattr', 'replace', 'indent', 'wordcount', 'e', 'escape',
]);

/** Filters whose named attribute argument (`map(attribute='x')`, `selectattr('x')`) reads an attribute. */
export const ATTRIBUTE_FILTERS: ReadonlySet<string> = new Set(['map', 'selectattr', 'rejectattr', 'sort', 'unique', 'dictsort']);

/** Filters whose arguments can multiply output size: their arguments must be short literals. */
export const GROWTH_FILTERS: ReadonlySet<string> = new Set(['replace', 'indent', 'join', 'tojson']);

/** Tests (`x is defined`, `selectattr('role', 'equalto', 'system')`). */
export const ALLOWED_TESTS: ReadonlySet<string> = new Set([
  'defined', 'undefined', 'none', 'string', 'number', 'integer', 'float', 'boolean', 'true', 'false', 'mapping',
  'sequence', 'iterable', 'odd', 'even', 'lower', 'upper', 'equalto', 'eq', 'ne', 'in', 'divisibleby', 'sameas',
]);
