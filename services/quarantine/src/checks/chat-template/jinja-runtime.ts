import * as jinja from '@huggingface/jinja';
import type { JinjaNode, ProgramNode } from './jinja-ast.js';

/*
 * @huggingface/jinja's .d.ts files import their siblings without extensions,
 * which NodeNext resolution cannot follow, so its exports arrive as `any`. This
 * file gives the parts the check uses their real shapes, in one place.
 */

export interface JinjaToken {
  readonly type: string;
  readonly value: string;
}
export interface RuntimeValue {
  readonly type: string;
  readonly value: unknown;
}
export interface JinjaEnvironment {
  set(name: string, value: unknown): RuntimeValue;
}
export interface JinjaInterpreter {
  evaluate(statement: JinjaNode | undefined, environment: JinjaEnvironment): RuntimeValue;
  run(program: ProgramNode): RuntimeValue;
}

export const tokenize: (source: string, options: { lstrip_blocks: boolean; trim_blocks: boolean }) => JinjaToken[] = jinja.tokenize;
export const parse: (tokens: JinjaToken[]) => ProgramNode = jinja.parse;
export const Environment: new () => JinjaEnvironment = jinja.Environment;
export const Interpreter: new (environment: JinjaEnvironment) => JinjaInterpreter = jinja.Interpreter;
