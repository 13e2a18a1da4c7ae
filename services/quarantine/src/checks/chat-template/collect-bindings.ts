import type { JinjaNode } from './jinja-ast.js';
import { childNodes, filterArgs, filterName } from './jinja-ast.js';
import { foldConstant, type Constants, type Folded } from './fold-constant.js';

/** What the template binds to names, seen as a whole (Jinja scoping is ignored: conservative). */
export interface Bindings {
  /** Names that may hold a string the template assembled at run time. */
  readonly built: ReadonlySet<string>;
  /** Names bound exactly once, by `set`, to a value folding can compute. */
  readonly constants: Constants;
}

/** Filters whose result is data from their operand, not a string they assemble. */
const PASS_THROUGH_FILTERS: ReadonlySet<string> = new Set([
  'list', 'first', 'last', 'sort', 'unique', 'select', 'reject', 'selectattr', 'rejectattr', 'dictsort', 'items',
]);
const NUMERIC_FILTERS: ReadonlySet<string> = new Set(['length', 'count', 'int', 'float', 'abs', 'round', 'bool', 'wordcount']);
const PASS_THROUGH_METHODS: ReadonlySet<string> = new Set(['items', 'keys', 'values', 'get']);

type Source = JinjaNode | 'opaque';

export function collectBindings(program: JinjaNode): Bindings {
  const sources = new Map<string, Source[]>();
  const bind = (name: string, source: Source): void => {
    sources.set(name, [...(sources.get(name) ?? []), source]);
  };
  const setValues = new Map<string, JinjaNode[]>();
  const macros = new Map<string, string[]>();
  const calls: JinjaNode[] = [];

  const visit = (node: JinjaNode): void => {
    if (node.type === 'Set') {
      for (const name of boundNames(node.assignee)) {
        bind(name, node.value ?? 'opaque');
        if (node.value !== null && node.assignee.type === 'Identifier') setValues.set(name, [...(setValues.get(name) ?? []), node.value]);
        else setValues.set(name, []); // block sets and tuple/namespace targets are not folded
      }
    } else if (node.type === 'For') {
      for (const name of boundNames(node.loopvar)) bind(name, node.iterable);
    } else if (node.type === 'Macro') {
      const params = node.args.map((arg) => (arg.type === 'KeywordArgumentExpression' ? arg.key.value : arg.type === 'Identifier' ? arg.value : ''));
      macros.set(node.name.value, params);
      for (const arg of node.args) if (arg.type === 'KeywordArgumentExpression') bind(arg.key.value, arg.value);
    } else if (node.type === 'CallExpression') {
      calls.push(node);
    }
    for (const child of childNodes(node)) visit(child);
  };
  visit(program);

  // Arguments at every call site flow into the macro's parameters.
  for (const call of calls) {
    if (call.type !== 'CallExpression' || call.callee.type !== 'Identifier') continue;
    const params = macros.get(call.callee.value);
    if (params === undefined) continue;
    call.args.forEach((arg, i) => {
      if (arg.type === 'KeywordArgumentExpression') bind(arg.key.value, arg.value);
      else if (arg.type === 'SpreadExpression' || arg.type === 'KeywordSpreadExpression') for (const p of params) bind(p, 'opaque');
      else if (params[i] !== undefined) bind(params[i], arg);
    });
  }

  const built = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, list] of sources) {
      if (!built.has(name) && list.some((s) => s === 'opaque' || isBuilt(s, built))) {
        built.add(name);
        changed = true;
      }
    }
  }
  return { built, constants: foldConstants(setValues) };
}

/** The names a `set` target or loop variable binds: `x`, `a, b`, and `ns` for `ns.x`. */
function boundNames(target: JinjaNode): string[] {
  if (target.type === 'Identifier') return [target.value];
  if (target.type === 'TupleLiteral') return target.value.flatMap(boundNames);
  if (target.type === 'MemberExpression') return boundNames(target.object);
  return [];
}

function foldConstants(setValues: ReadonlyMap<string, JinjaNode[]>): Constants {
  const constants = new Map<string, Folded>();
  // A few rounds let `set b = a ~ a` see `a`; names bound more than once stay unknown.
  for (let round = 0; round < 4; round++) {
    for (const [name, values] of setValues) {
      const only = values.length === 1 ? values[0] : undefined;
      const value = only === undefined ? undefined : foldConstant(only, constants);
      if (value !== undefined) constants.set(name, value);
    }
  }
  return constants;
}

/**
 * True if an expression's value may be a string the template assembled (by
 * concatenation, repetition, formatting, slicing, filters or calls) rather than
 * a literal or data passed in. Such a value may not be used as a key.
 */
export function isBuilt(node: JinjaNode, built: ReadonlySet<string>): boolean {
  const any = (nodes: JinjaNode[]): boolean => nodes.some((n) => isBuilt(n, built));
  switch (node.type) {
    case 'StringLiteral': case 'IntegerLiteral': case 'FloatLiteral': case 'TestExpression':
      return false;
    case 'Identifier':
      return built.has(node.value);
    case 'MemberExpression':
      return node.computed && (node.property.type === 'SliceExpression' || isBuilt(node.property, built)) ? true : isBuilt(node.object, built);
    case 'BinaryExpression': {
      const op = node.operator.value;
      if (op === 'and' || op === 'or') return any([node.left, node.right]);
      return ['~', '+', '*', '%'].includes(op);
    }
    case 'UnaryExpression':
      return node.operator.value !== 'not' && isBuilt(node.argument, built);
    case 'FilterExpression': {
      const name = filterName(node.filter) ?? '';
      if (NUMERIC_FILTERS.has(name)) return false;
      if (PASS_THROUGH_FILTERS.has(name)) return isBuilt(node.operand, built);
      if (name === 'default' || name === 'd') return any([node.operand, ...filterArgs(node.filter)]);
      return true;
    }
    case 'CallExpression': {
      const callee = node.callee;
      if (callee.type === 'Identifier' && (callee.value === 'range' || callee.value === 'namespace')) return any(node.args);
      if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && PASS_THROUGH_METHODS.has(callee.property.value)) {
        return any([callee.object, ...node.args]);
      }
      return true;
    }
    case 'KeywordArgumentExpression':
      return isBuilt(node.value, built);
    case 'Ternary':
      return any([node.trueExpr, node.falseExpr]);
    case 'SelectExpression':
      return isBuilt(node.lhs, built);
    case 'ArrayLiteral': case 'TupleLiteral': case 'ObjectLiteral':
      return any(childNodes(node));
    default:
      return true;
  }
}
