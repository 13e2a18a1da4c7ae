/**
 * Deterministic JSON: object keys sorted by code unit, no whitespace, `undefined`
 * members dropped. Two equal values always encode to the same bytes, which is what
 * hashing and signing need. Non-finite numbers, bigints and cycles are refused.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return encode(value, new Set());
}

function encode(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot encode non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`Cannot encode a value of type ${typeof value}`);
  }
  const object = value as object;
  if (seen.has(object)) throw new TypeError('Cannot encode a cyclic value');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item: unknown) => encode(item === undefined ? null : item, seen)).join(',')}]`;
    }
    if (object instanceof Date) return JSON.stringify(object.toISOString());
    const entries = Object.entries(object)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${encode(item, seen)}`).join(',')}}`;
  } finally {
    seen.delete(object);
  }
}
