import type { JinjaNode } from './jinja-ast.js';
import { filterArgs, filterName } from './jinja-ast.js';
import type { TemplateReasonCode } from './reasons.js';
import { collectBindings, isBuilt, type Bindings } from './collect-bindings.js';
import { foldConstant } from './fold-constant.js';
import { isDeniedAttribute, isDeniedGlobal, spellsDunder } from './denied-names.js';
import { ALLOWED_FILTERS, ALLOWED_FUNCTIONS, ALLOWED_METHODS, ALLOWED_TESTS, ATTRIBUTE_FILTERS, GROWTH_FILTERS } from './allowed-names.js';

export interface AstFinding {
  readonly code: TemplateReasonCode;
  readonly detail: string;
}

/** AST depth the walk follows; the parser itself recurses about as deep. */
const MAX_DEPTH = 256;
/** Real templates use single-digit numbers; a big one only feeds range() or a repeat. */
const MAX_NUMBER_LITERAL = 100_000;
/** A literal factor of `*` above this is a repeat bomb, not arithmetic. */
const MAX_FACTOR = 100;
/** Arguments of replace/indent/join/tojson: short literals keep output growth linear. */
const MAX_GROWTH_STRING = 256;
const MAX_GROWTH_NUMBER = 64;
const LITERAL_IDENTIFIERS: ReadonlySet<string> = new Set(['true', 'false', 'none', 'True', 'False', 'None']);

/**
 * Walks a parsed template and lists every construct outside the allowlist or
 * matching a known SSTI shape. Never renders; pure over the AST.
 */
export function checkTemplateAst(program: JinjaNode): AstFinding[] {
  return new AstChecker(program).run(program);
}

class AstChecker {
  private readonly findings: AstFinding[] = [];
  private readonly bindings: Bindings;
  private readonly macros = new Set<string>();

  constructor(program: JinjaNode) {
    this.bindings = collectBindings(program);
    const collect = (node: JinjaNode): void => {
      if (node.type === 'Macro') this.macros.add(node.name.value);
      if ('body' in node) node.body.forEach(collect);
      if (node.type === 'If') node.alternate.forEach(collect);
      if (node.type === 'For') node.defaultBlock.forEach(collect);
    };
    collect(program);
  }

  run(program: JinjaNode): AstFinding[] {
    this.statement(program, 0);
    return this.findings;
  }

  private ssti(detail: string): void {
    this.findings.push({ code: 'template.ssti', detail });
  }

  private unbounded(detail: string): void {
    this.findings.push({ code: 'template.unbounded', detail });
  }

  private statements(nodes: JinjaNode[], depth: number): void {
    // A bare string in a body is template text (or `{{ 'literal' }}`): output only.
    for (const node of nodes) if (node.type !== 'StringLiteral') this.statement(node, depth + 1);
  }

  private statement(node: JinjaNode, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.findings.push({ code: 'template.too_complex', detail: `Template nests deeper than ${MAX_DEPTH} levels` });
      return;
    }
    switch (node.type) {
      case 'Program': return this.statements(node.body, depth);
      case 'If': this.expr(node.test, depth); this.statements(node.body, depth); return this.statements(node.alternate, depth);
      case 'For':
        this.target(node.loopvar);
        this.expr(node.iterable, depth);
        this.statements(node.body, depth);
        return this.statements(node.defaultBlock, depth);
      case 'Set':
        this.target(node.assignee);
        if (node.value !== null) this.expr(node.value, depth);
        return this.statements(node.body, depth);
      case 'Macro':
        this.bindName(node.name.value);
        for (const arg of node.args) {
          if (arg.type === 'Identifier') this.bindName(arg.value);
          else if (arg.type === 'KeywordArgumentExpression') { this.bindName(arg.key.value); this.expr(arg.value, depth); }
          else this.ssti('Macro declares an unsupported parameter');
        }
        return this.statements(node.body, depth);
      case 'CallStatement':
        // {% call %} hands the body to a macro as `caller`: no real chat template needs it
        return this.ssti('Template uses a {% call %} block');
      case 'FilterStatement': this.filter(node.filter, depth); return this.statements(node.body, depth);
      case 'Break': case 'Continue': case 'Comment': return;
      default: return this.expr(node, depth);
    }
  }

  private expr(node: JinjaNode, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.findings.push({ code: 'template.too_complex', detail: `Template nests deeper than ${MAX_DEPTH} levels` });
      return;
    }
    const next = depth + 1;
    if (this.assemblesDeniedName(node)) return;
    switch (node.type) {
      case 'StringLiteral':
        if (spellsDunder(node.value)) this.ssti(`String literal spells a dunder name: ${quote(node.value)}`);
        return;
      case 'IntegerLiteral': case 'FloatLiteral':
        if (!(Math.abs(node.value) <= MAX_NUMBER_LITERAL)) this.unbounded(`Number literal ${String(node.value).slice(0, 24)} is above ${MAX_NUMBER_LITERAL}`);
        return;
      case 'Identifier': return this.reference(node.value);
      case 'MemberExpression':
        this.expr(node.object, next);
        if (node.computed) return this.key(node.property, next);
        if (node.property.type === 'Identifier') this.attribute(node.property.value);
        return;
      case 'CallExpression': this.callee(node.callee, next); return node.args.forEach((a) => this.argument(a, next));
      case 'FilterExpression': this.expr(node.operand, next); return this.filter(node.filter, next);
      case 'TestExpression':
        this.expr(node.operand, next);
        if (!ALLOWED_TESTS.has(node.test.value)) this.ssti(`Test ${quote(node.test.value)} is not on the allowlist`);
        return;
      case 'BinaryExpression': return this.binary(node.operator.value, node.left, node.right, next);
      case 'UnaryExpression': return this.expr(node.argument, next);
      case 'SelectExpression': this.expr(node.lhs, next); return this.expr(node.test, next);
      case 'Ternary': [node.condition, node.trueExpr, node.falseExpr].forEach((n) => this.expr(n, next)); return;
      case 'ArrayLiteral': case 'TupleLiteral': return node.value.forEach((n) => this.expr(n, next));
      case 'ObjectLiteral': for (const [k, v] of node.value) { this.expr(k, next); this.expr(v, next); } return;
      case 'KeywordArgumentExpression': case 'SpreadExpression': case 'KeywordSpreadExpression': return this.argument(node, next);
      default: return this.ssti(`Template uses an unsupported construct: ${node.type}`);
    }
  }

  /** A name assembled from literals (`'__cla' ~ 'ss__'`, `'%c' % 95`, `[..]|join`): refused whole. */
  private assemblesDeniedName(node: JinjaNode): boolean {
    if (!['BinaryExpression', 'FilterExpression', 'CallExpression', 'MemberExpression'].includes(node.type)) return false;
    const value = foldConstant(node, this.bindings.constants);
    if (typeof value !== 'string' || !(spellsDunder(value) || isDeniedAttribute(value) || isDeniedGlobal(value))) return false;
    this.ssti(`Expression assembles the name ${quote(value)} at run time`);
    return true;
  }

  private reference(name: string): void {
    if (isDeniedGlobal(name)) this.ssti(`Template uses the ${quote(name)} global`);
    else if (ALLOWED_FUNCTIONS.has(name) || this.macros.has(name)) this.ssti(`Template passes the function ${quote(name)} around as a value`);
  }

  private bindName(name: string): void {
    if (isDeniedGlobal(name)) this.ssti(`Template binds the name ${quote(name)}`);
  }

  private attribute(name: string): void {
    if (isDeniedAttribute(name)) this.ssti(`Template reads the attribute ${quote(name)}`);
  }

  private target(node: JinjaNode): void {
    if (node.type === 'Identifier') return this.bindName(node.value);
    if (node.type === 'TupleLiteral') return node.value.forEach((n) => this.target(n));
    if (node.type === 'MemberExpression' && !node.computed && node.object.type === 'Identifier' && node.property.type === 'Identifier') {
      this.bindName(node.object.value);
      return this.attribute(node.property.value);
    }
    this.ssti('Template assigns to an unsupported target');
  }

  private callee(node: JinjaNode, depth: number): void {
    if (node.type === 'Identifier') {
      if (isDeniedGlobal(node.value)) return this.ssti(`Template calls the ${quote(node.value)} global`);
      if (!ALLOWED_FUNCTIONS.has(node.value) && !this.macros.has(node.value)) this.ssti(`Template calls ${quote(node.value)}, which is not an allowed function`);
      return;
    }
    if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
      this.expr(node.object, depth);
      const method = node.property.value;
      if (isDeniedAttribute(method)) return this.ssti(`Template calls the method ${quote(method)}`);
      if (!ALLOWED_METHODS.has(method)) this.ssti(`Template calls the method ${quote(method)}, which is not on the allowlist`);
      return;
    }
    this.ssti('Template calls the result of an expression');
  }

  private argument(node: JinjaNode, depth: number): void {
    if (node.type === 'SpreadExpression' || node.type === 'KeywordSpreadExpression') return this.ssti('Template unpacks call arguments with * or **');
    if (node.type === 'KeywordArgumentExpression') {
      if (isDeniedAttribute(node.key.value)) this.ssti(`Template passes the keyword ${quote(node.key.value)}`);
      return this.expr(node.value, depth);
    }
    this.expr(node, depth);
  }

  private filter(node: JinjaNode, depth: number): void {
    const name = filterName(node);
    const args = filterArgs(node);
    if (name === null) return this.ssti('Template applies a filter that is not a plain name');
    if (name === 'attr') return this.ssti('Template uses the attr filter');
    if (!ALLOWED_FILTERS.has(name)) return this.ssti(`Filter ${quote(name)} is not on the allowlist`);
    if (ATTRIBUTE_FILTERS.has(name) || name === 'select' || name === 'reject') this.filterNames(name, args);
    if (GROWTH_FILTERS.has(name)) this.growthArgs(name, args);
    args.forEach((a) => this.argument(a, depth));
  }

  /** The names a filter resolves at run time (attributes, tests, map's filter) must be safe literals. */
  private filterNames(name: string, args: JinjaNode[]): void {
    const positional = args.filter((a) => a.type !== 'KeywordArgumentExpression');
    for (const arg of args) {
      if (arg.type === 'KeywordArgumentExpression' && arg.key.value === 'attribute') this.attributePath(arg.value);
    }
    const [first, second] = positional;
    if (name === 'selectattr' || name === 'rejectattr') {
      if (first !== undefined) this.attributePath(first);
      if (second !== undefined) this.namedTest(second);
    } else if (name === 'select' || name === 'reject') {
      if (first !== undefined) this.namedTest(first);
    } else if (name === 'map' && first !== undefined) {
      if (first.type !== 'StringLiteral') return this.ssti('map() names its filter with a computed value');
      if (first.value === 'attr' || !ALLOWED_FILTERS.has(first.value)) this.ssti(`map() applies the filter ${quote(first.value)}`);
    }
  }

  private attributePath(node: JinjaNode): void {
    if (node.type !== 'StringLiteral') return this.ssti('Filter names its attribute with a computed value');
    for (const part of node.value.split('.')) this.attribute(part);
  }

  private namedTest(node: JinjaNode): void {
    if (node.type !== 'StringLiteral') return this.ssti('Filter names its test with a computed value');
    if (!ALLOWED_TESTS.has(node.value)) this.ssti(`Test ${quote(node.value)} is not on the allowlist`);
  }

  private growthArgs(name: string, args: JinjaNode[]): void {
    for (const arg of args) {
      const value = arg.type === 'KeywordArgumentExpression' ? arg.value : arg;
      const ok =
        (value.type === 'StringLiteral' && value.value.length <= MAX_GROWTH_STRING) ||
        (value.type === 'IntegerLiteral' && Math.abs(value.value) <= MAX_GROWTH_NUMBER) ||
        (value.type === 'Identifier' && LITERAL_IDENTIFIERS.has(value.value));
      if (!ok) return this.unbounded(`Filter ${quote(name)} takes an argument that is not a short literal`);
    }
    const from = args[0];
    if (name === 'replace' && from?.type === 'StringLiteral' && from.value === '') this.unbounded('replace() with an empty pattern');
  }

  private binary(op: string, left: JinjaNode, right: JinjaNode, depth: number): void {
    if (op === '**') this.unbounded('Template uses the ** operator');
    if (op === '%' && left.type === 'StringLiteral') this.ssti('Template formats a string with %');
    if (op === '*' && !isSmallFactor(left, right) && !isSmallFactor(right, left)) this.unbounded('Template multiplies without a small literal factor');
    this.expr(left, depth);
    this.expr(right, depth);
  }

  /**
   * A computed key (`x[k]`) must be a literal or a plain variable: anything else
   * is how a denylisted name gets past a scanner (`''[x]` with `x = '__cla' ~ 'ss__'`).
   */
  private key(node: JinjaNode, depth: number): void {
    if (node.type === 'StringLiteral') {
      this.expr(node, depth);
      return this.attribute(node.value);
    }
    if (node.type === 'SliceExpression') {
      for (const part of [node.start, node.stop, node.step]) {
        if (part === undefined) continue;
        if (!this.isNumericKey(part)) return this.ssti('Slice bound is not a number or a plain variable');
        this.expr(part, depth);
      }
      return;
    }
    this.expr(node, depth);
    if (this.isNumericKey(node) || (isPlainPath(node) && !isBuilt(node, this.bindings.built))) {
      const value = node.type === 'Identifier' ? this.bindings.constants.get(node.value) : undefined;
      if (typeof value === 'string') this.attribute(value);
      return;
    }
    this.ssti('Computed key is neither a literal nor a plain variable');
  }

  /** Index arithmetic real templates use: `messages[loop.index0 - 1]`, `x[-1]`, `x[i]`. */
  private isNumericKey(node: JinjaNode): boolean {
    switch (node.type) {
      case 'IntegerLiteral': return true;
      case 'UnaryExpression': return node.operator.value === '-' && this.isNumericKey(node.argument);
      case 'BinaryExpression': return ['+', '-'].includes(node.operator.value) && this.isNumericKey(node.left) && this.isNumericKey(node.right);
      case 'FilterExpression': return ['length', 'count'].includes(filterName(node.filter) ?? '') && isPlainPath(node.operand);
      default: return isPlainPath(node) && !isBuilt(node, this.bindings.built) && !(node.type === 'Identifier' && typeof this.bindings.constants.get(node.value) === 'string');
    }
  }
}

/** `x`, `x.y.z`: a variable or a dotted path, no calls, no computed parts. */
function isPlainPath(node: JinjaNode): boolean {
  if (node.type === 'Identifier') return true;
  return node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier' && isPlainPath(node.object);
}

function isSmallFactor(factor: JinjaNode, other: JinjaNode): boolean {
  const isProduct = other.type === 'BinaryExpression' && other.operator.value === '*';
  return factor.type === 'IntegerLiteral' && Math.abs(factor.value) <= MAX_FACTOR && !isProduct;
}

/** A name for a detail line: JSON-quoted, cut short so template text is never echoed at length. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
