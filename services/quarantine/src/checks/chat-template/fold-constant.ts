import type { JinjaNode } from './jinja-ast.js';
import { filterArgs, filterName } from './jinja-ast.js';

/** Values of `set` variables bound once to a constant, for folding names built through them. */
export type Constants = ReadonlyMap<string, Folded>;
export type Folded = string | number;

/** Longest string folding builds; past it the fold gives up (it only needs to see short names). */
const MAX_FOLDED_LENGTH = 4096;
const MAX_DEPTH = 64;

/**
 * Evaluates an expression statically where every input is a literal, with
 * Python's semantics for the operations attackers use to assemble a name that a
 * denylist would catch as a literal: `~`, `+`, `'_'*2`, `'%c' % 95`, `|join`,
 * `|format`, `|replace`, `|reverse`, `[::-1]`, `.join()`, `.format()`. Returns
 * undefined when the value depends on data or is too long to matter.
 */
export function foldConstant(node: JinjaNode, constants: Constants, depth = 0): Folded | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const fold = (n: JinjaNode): Folded | undefined => foldConstant(n, constants, depth + 1);
  switch (node.type) {
    case 'StringLiteral':
    case 'IntegerLiteral':
    case 'FloatLiteral':
      return node.value;
    case 'Identifier':
      return constants.get(node.value);
    case 'UnaryExpression': {
      const value = fold(node.argument);
      return typeof value === 'number' && node.operator.value === '-' ? -value : undefined;
    }
    case 'BinaryExpression':
      return foldBinary(node.operator.value, fold(node.left), node.right, fold);
    case 'FilterExpression':
      return foldFilter(filterName(node.filter), node.operand, filterArgs(node.filter), fold, constants, depth);
    case 'CallExpression':
      return node.callee.type === 'MemberExpression' && !node.callee.computed && node.callee.property.type === 'Identifier'
        ? foldMethod(node.callee.property.value, fold(node.callee.object), node.args, fold, constants, depth)
        : undefined;
    case 'MemberExpression':
      return node.computed ? foldIndex(fold(node.object), node.property, fold) : undefined;
    default:
      return undefined;
  }
}

function foldBinary(op: string, left: Folded | undefined, rightNode: JinjaNode, fold: (n: JinjaNode) => Folded | undefined): Folded | undefined {
  if (left === undefined) return undefined;
  if (op === '%' && typeof left === 'string') return printf(left, printfArgs(rightNode, fold));
  const right = fold(rightNode);
  if (right === undefined) return undefined;
  switch (op) {
    case '~':
      return bounded(String(left) + String(right));
    case '+':
      return typeof left === typeof right ? (typeof left === 'number' ? left + (right as number) : bounded(left + String(right))) : undefined;
    case '*':
      if (typeof left === 'number' && typeof right === 'number') return left * right;
      return typeof left === 'string' && typeof right === 'number' ? repeat(left, right)
        : typeof right === 'string' && typeof left === 'number' ? repeat(right, left) : undefined;
    default:
      return undefined;
  }
}

function foldFilter(
  name: string | null, operandNode: JinjaNode, args: JinjaNode[], fold: (n: JinjaNode) => Folded | undefined, constants: Constants, depth: number,
): Folded | undefined {
  if (name === 'join') {
    const parts = foldList(operandNode, constants, depth) ?? stringChars(fold(operandNode));
    const sep = args[0] === undefined ? '' : fold(args[0]);
    return parts === undefined || sep === undefined ? undefined : bounded(parts.map(String).join(String(sep)));
  }
  const operand = fold(operandNode);
  if (typeof operand !== 'string') return name === 'string' && operand !== undefined ? String(operand) : undefined;
  switch (name) {
    case 'reverse': return [...operand].reverse().join('');
    case 'lower': return operand.toLowerCase();
    case 'upper': return operand.toUpperCase();
    case 'string': case 'trim': case 'safe': case 'e': case 'escape': return name === 'trim' ? operand.trim() : operand;
    case 'first': return operand.slice(0, 1);
    case 'last': return operand.slice(-1);
    case 'format': return printf(operand, args.map(fold));
    case 'replace': return replaceAll(operand, args, fold);
    default: return undefined;
  }
}

function foldMethod(
  name: string, object: Folded | undefined, args: JinjaNode[], fold: (n: JinjaNode) => Folded | undefined, constants: Constants, depth: number,
): Folded | undefined {
  if (typeof object !== 'string') return undefined;
  switch (name) {
    case 'join': {
      const parts = args[0] === undefined ? undefined : foldList(args[0], constants, depth) ?? stringChars(fold(args[0]));
      return parts === undefined ? undefined : bounded(parts.map(String).join(object));
    }
    case 'format': {
      const values = args.map(fold);
      let next = 0;
      // '{}' and '{0}' fields only: enough to see which name comes out
      return bounded(object.replace(/\{(\d*)\}/g, (_, index: string) => String(values[index === '' ? next++ : Number(index)] ?? '')));
    }
    case 'replace': return replaceAll(object, args, fold);
    case 'lower': return object.toLowerCase();
    case 'upper': return object.toUpperCase();
    case 'strip': return object.trim();
    default: return undefined;
  }
}

function foldIndex(object: Folded | undefined, property: JinjaNode, fold: (n: JinjaNode) => Folded | undefined): Folded | undefined {
  if (typeof object !== 'string') return undefined;
  if (property.type !== 'SliceExpression') {
    const index = fold(property);
    return typeof index === 'number' ? [...object].at(index) : undefined;
  }
  const part = (n: JinjaNode | undefined): number | null | undefined => {
    if (n === undefined) return null;
    const value = fold(n);
    return typeof value === 'number' ? value : undefined;
  };
  const [start, stop, step] = [part(property.start), part(property.stop), part(property.step)];
  if (start === undefined || stop === undefined || step === undefined || step === 0) return undefined;
  return pySlice([...object], start, stop, step ?? 1).join('');
}

/** Python's `seq[start:stop:step]`. */
function pySlice(chars: string[], start: number | null, stop: number | null, step: number): string[] {
  const n = chars.length;
  const clamp = (i: number, lo: number, hi: number): number => Math.min(Math.max(i < 0 ? i + n : i, lo), hi);
  const out: string[] = [];
  if (step > 0) {
    for (let i = start === null ? 0 : clamp(start, 0, n), end = stop === null ? n : clamp(stop, 0, n); i < end; i += step) out.push(chars[i] ?? '');
  } else {
    for (let i = start === null ? n - 1 : clamp(start, -1, n - 1), end = stop === null ? -1 : clamp(stop, -1, n - 1); i > end; i += step) out.push(chars[i] ?? '');
  }
  return out;
}

function foldList(node: JinjaNode, constants: Constants, depth: number): Folded[] | undefined {
  if (node.type !== 'ArrayLiteral' && node.type !== 'TupleLiteral') return undefined;
  const values = node.value.map((n) => foldConstant(n, constants, depth + 1));
  return values.every((v) => v !== undefined) ? (values as Folded[]) : undefined;
}

function printfArgs(node: JinjaNode, fold: (n: JinjaNode) => Folded | undefined): (Folded | undefined)[] {
  return node.type === 'TupleLiteral' || node.type === 'ArrayLiteral' ? node.value.map(fold) : [fold(node)];
}

/** Python `%` formatting for the conversions that spell names: %c, %s, %d, %i, %x, %%. */
function printf(format: string, values: (Folded | undefined)[]): string | undefined {
  let next = 0;
  let unknown = false;
  const out = format.replace(/%([%csdix])/g, (_, conv: string) => {
    if (conv === '%') return '%';
    const value = values[next++];
    if (value === undefined) { unknown = true; return ''; }
    if (conv === 'c') return typeof value === 'number' && value >= 0 && value <= 0x10ffff ? String.fromCodePoint(value) : String(value);
    return conv === 'x' && typeof value === 'number' ? value.toString(16) : String(value);
  });
  return unknown ? undefined : bounded(out);
}

function replaceAll(value: string, args: JinjaNode[], fold: (n: JinjaNode) => Folded | undefined): string | undefined {
  const [from, to] = [args[0] === undefined ? undefined : fold(args[0]), args[1] === undefined ? undefined : fold(args[1])];
  return typeof from === 'string' && typeof to === 'string' && from !== '' ? bounded(value.split(from).join(to)) : undefined;
}

function repeat(value: string, times: number): string | undefined {
  return Number.isInteger(times) && times >= 0 && value.length * times <= MAX_FOLDED_LENGTH ? value.repeat(times) : undefined;
}

function stringChars(value: Folded | undefined): string[] | undefined {
  return typeof value === 'string' ? [...value] : undefined;
}

function bounded(value: string): string | undefined {
  return value.length <= MAX_FOLDED_LENGTH ? value : undefined;
}
