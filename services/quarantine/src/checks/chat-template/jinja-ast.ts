/**
 * The shapes of @huggingface/jinja's AST nodes, by their `type` tag. The package
 * exports `parse` but not the node classes, so the walker narrows on `type`
 * through this union; a node whose tag is not listed here is refused.
 */
export type JinjaNode =
  | ProgramNode | IfNode | ForNode | SetNode | MacroNode | CallBlockNode | FilterBlockNode
  | LeafNode | MemberNode | CallNode | IdentifierNode | StringNode | NumberNode | ListNode | ObjectNode
  | BinaryNode | UnaryNode | FilterNode | TestNode | SelectNode | TernaryNode | SliceNode | KeywordArgNode | SpreadNode;

export interface ProgramNode { readonly type: 'Program'; readonly body: JinjaNode[] }
export interface IfNode { readonly type: 'If'; readonly test: JinjaNode; readonly body: JinjaNode[]; readonly alternate: JinjaNode[] }
export interface ForNode {
  readonly type: 'For';
  readonly loopvar: JinjaNode;
  readonly iterable: JinjaNode;
  readonly body: JinjaNode[];
  readonly defaultBlock: JinjaNode[];
}
export interface SetNode { readonly type: 'Set'; readonly assignee: JinjaNode; readonly value: JinjaNode | null; readonly body: JinjaNode[] }
export interface MacroNode { readonly type: 'Macro'; readonly name: IdentifierNode; readonly args: JinjaNode[]; readonly body: JinjaNode[] }
export interface CallBlockNode { readonly type: 'CallStatement'; readonly call: CallNode; readonly body: JinjaNode[] }
export interface FilterBlockNode { readonly type: 'FilterStatement'; readonly filter: JinjaNode; readonly body: JinjaNode[] }
export interface LeafNode { readonly type: 'Break' | 'Continue' | 'Comment' }
export interface MemberNode { readonly type: 'MemberExpression'; readonly object: JinjaNode; readonly property: JinjaNode; readonly computed: boolean }
export interface CallNode { readonly type: 'CallExpression'; readonly callee: JinjaNode; readonly args: JinjaNode[] }
export interface IdentifierNode { readonly type: 'Identifier'; readonly value: string }
export interface StringNode { readonly type: 'StringLiteral'; readonly value: string }
export interface NumberNode { readonly type: 'IntegerLiteral' | 'FloatLiteral'; readonly value: number }
export interface ListNode { readonly type: 'ArrayLiteral' | 'TupleLiteral'; readonly value: JinjaNode[] }
export interface ObjectNode { readonly type: 'ObjectLiteral'; readonly value: Map<JinjaNode, JinjaNode> }
export interface BinaryNode { readonly type: 'BinaryExpression'; readonly operator: { readonly value: string }; readonly left: JinjaNode; readonly right: JinjaNode }
export interface UnaryNode { readonly type: 'UnaryExpression'; readonly operator: { readonly value: string }; readonly argument: JinjaNode }
export interface FilterNode { readonly type: 'FilterExpression'; readonly operand: JinjaNode; readonly filter: JinjaNode }
export interface TestNode { readonly type: 'TestExpression'; readonly operand: JinjaNode; readonly negate: boolean; readonly test: IdentifierNode }
export interface SelectNode { readonly type: 'SelectExpression'; readonly lhs: JinjaNode; readonly test: JinjaNode }
export interface TernaryNode { readonly type: 'Ternary'; readonly condition: JinjaNode; readonly trueExpr: JinjaNode; readonly falseExpr: JinjaNode }
export interface SliceNode {
  readonly type: 'SliceExpression';
  readonly start: JinjaNode | undefined;
  readonly stop: JinjaNode | undefined;
  readonly step: JinjaNode | undefined;
}
export interface KeywordArgNode { readonly type: 'KeywordArgumentExpression'; readonly key: IdentifierNode; readonly value: JinjaNode }
export interface SpreadNode { readonly type: 'SpreadExpression' | 'KeywordSpreadExpression'; readonly argument: JinjaNode }

/** The name a filter node applies: `x|trim` and `x|join(', ')` both give `trim`/`join`. */
export function filterName(filter: JinjaNode): string | null {
  if (filter.type === 'Identifier') return filter.value;
  if (filter.type === 'CallExpression' && filter.callee.type === 'Identifier') return filter.callee.value;
  return null;
}

/** The arguments a filter node passes (none for the bare `x|trim` form). */
export function filterArgs(filter: JinjaNode): JinjaNode[] {
  return filter.type === 'CallExpression' ? filter.args : [];
}

/** Every direct child of a node, statements and expressions alike. */
export function childNodes(node: JinjaNode): JinjaNode[] {
  switch (node.type) {
    case 'Program': return node.body;
    case 'If': return [node.test, ...node.body, ...node.alternate];
    case 'For': return [node.loopvar, node.iterable, ...node.body, ...node.defaultBlock];
    case 'Set': return [node.assignee, ...(node.value === null ? [] : [node.value]), ...node.body];
    case 'Macro': return [node.name, ...node.args, ...node.body];
    case 'CallStatement': return [node.call, ...node.body];
    case 'FilterStatement': return [node.filter, ...node.body];
    case 'MemberExpression': return [node.object, node.property];
    case 'CallExpression': return [node.callee, ...node.args];
    case 'ArrayLiteral': case 'TupleLiteral': return node.value;
    case 'ObjectLiteral': return [...node.value].flat();
    case 'BinaryExpression': return [node.left, node.right];
    case 'UnaryExpression': return [node.argument];
    case 'FilterExpression': return [node.operand, node.filter];
    case 'TestExpression': return [node.operand, node.test];
    case 'SelectExpression': return [node.lhs, node.test];
    case 'Ternary': return [node.condition, node.trueExpr, node.falseExpr];
    case 'SliceExpression': return [node.start, node.stop, node.step].filter((n): n is JinjaNode => n !== undefined);
    case 'KeywordArgumentExpression': return [node.key, node.value];
    case 'SpreadExpression': case 'KeywordSpreadExpression': return [node.argument];
    default: return [];
  }
}
