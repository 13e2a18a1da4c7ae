import type { CompiledArg } from '../policy/compile-policy.js';
import type { DecisionCode } from './decision-types.js';

export interface ArgProblem {
  readonly code: DecisionCode;
  readonly reason: string;
}

// Newline and tab are allowed in multiline text; every other C0/C1 control never.
const CONTROL_STRICT = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/**
 * Checks one argument value as typed data against its spec: type, length, pattern,
 * allowed values, range. Path arguments get only their type and length checked here;
 * `canonicalPath` and the facts do the rest. Null means the value is acceptable.
 */
export function checkArg(arg: CompiledArg, value: unknown): ArgProblem | null {
  const { spec, name } = arg;
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return typeProblem(name, 'a string', value);
      if (value.length > spec.maxLength) return { code: 'args.too_long', reason: `Argument ${name} is ${value.length} characters, limit is ${spec.maxLength}` };
      if (value.length < spec.minLength) return { code: 'args.too_short', reason: `Argument ${name} is ${value.length} characters, minimum is ${spec.minLength}` };
      if ((spec.multiline ? CONTROL_MULTILINE : CONTROL_STRICT).test(value)) return { code: 'args.control_char', reason: `Argument ${name} contains a control character` };
      if (!spec.allowLeadingDash && value.startsWith('-')) return { code: 'args.flag_injection', reason: `Argument ${name} starts with "-"` };
      if (arg.oneOf !== null && !arg.oneOf.has(value)) return { code: 'args.not_allowed', reason: `Argument ${name} is not one of the allowed values` };
      if (arg.pattern !== null && !arg.pattern.test(value)) return { code: 'args.pattern', reason: `Argument ${name} does not match the policy's pattern` };
      return null;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeProblem(name, 'a finite number', value);
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) return typeProblem(name, 'an integer', value);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return { code: 'args.out_of_range', reason: `Argument ${name} is ${value}, allowed ${spec.min ?? '-∞'}..${spec.max ?? '∞'}` };
      }
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : typeProblem(name, 'a boolean', value);
    case 'path':
      if (typeof value !== 'string') return typeProblem(name, 'a path string', value);
      return null;
    case 'url':
      if (typeof value !== 'string') return typeProblem(name, 'a URL string', value);
      if (value.length > spec.maxLength) return { code: 'args.too_long', reason: `Argument ${name} is ${value.length} characters, limit is ${spec.maxLength}` };
      return checkUrl(name, value, spec.schemes);
  }
}

function checkUrl(name: string, value: string, schemes: readonly string[]): ArgProblem | null {
  if (CONTROL_STRICT.test(value) || /\s/.test(value)) return { code: 'url.invalid', reason: `Argument ${name} contains whitespace or control characters` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { code: 'url.invalid', reason: `Argument ${name} is not an absolute URL` };
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) return { code: 'url.scheme', reason: `Argument ${name} uses ${url.protocol}, allowed: ${schemes.join(', ')}` };
  if (url.username !== '' || url.password !== '') return { code: 'url.credentials', reason: `Argument ${name} carries credentials` };
  return null;
}

function typeProblem(name: string, expected: string, value: unknown): ArgProblem {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return { code: 'args.invalid', reason: `Argument ${name} must be ${expected}, got ${got}` };
}
