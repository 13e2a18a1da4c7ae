import { createHash } from 'node:crypto';
import type { Reason } from '../../pipeline/reason.js';
import type { ProgramNode } from './jinja-ast.js';
import { parse, tokenize } from './jinja-runtime.js';
import { templateReason } from './reasons.js';
import { checkTemplateAst } from './check-template-ast.js';
import { findLoaderStatements } from './find-loader-statements.js';
import { findEscapedAscii } from './find-escaped-ascii.js';
import { findSstiText } from './find-ssti-text.js';
import { findEmbeddedUrls } from './find-embedded-urls.js';
import { renderFixedMessages } from './render-fixed-messages.js';

export { TEMPLATE_REASONS } from './reasons.js';

export interface ChatTemplateVerdict {
  /** Stage `static`; empty means the template is clean. */
  readonly reasons: Reason[];
  /** Hex SHA-256 of the template's UTF-8 bytes: what a promoted model pins. */
  readonly templateSha256: string;
  /** Hex SHA-256 of FIXED_MESSAGES rendered with the template; null if it cannot render them (not a refusal). */
  readonly renderedSha256: string | null;
  /** That rendering itself, for the behaviour stage to compare the engine's with. */
  readonly rendered: string | null;
  /** The same messages without the system turn, for engines that place a system turn their own way. */
  readonly renderedWithoutSystem: string | null;
}

/** Real templates are under ~20 KiB; the longest known (tool-calling) ones under 64 KiB. */
export const MAX_TEMPLATE_LENGTH = 256 * 1024;
/** Reasons kept per template: enough to name the shapes, short enough for the audit line. */
const MAX_REASONS = 8;

/**
 * Statically checks a chat template (GGUF `tokenizer.chat_template` or
 * `tokenizer_config.json`) for Jinja server-side template injection, and hashes it
 * and its rendering of a fixed conversation for pinning.
 *
 * Parses with @huggingface/jinja and walks the AST against an allowlist of
 * statements, filters, tests, methods and functions and a denylist of Python
 * internals and Jinja2 gadgets; refuses names assembled at run time and computed
 * keys that are not literals or plain variables. Renders only templates that pass,
 * with bounds. Pure and synchronous: no I/O, never throws.
 *
 * @example
 * scanChatTemplate("{{ ''.__class__.__mro__[1].__subclasses__() }}").reasons[0]?.code // 'template.ssti'
 */
export function scanChatTemplate(template: string): ChatTemplateVerdict {
  const templateSha256 = sha256(template);
  if (template.length > MAX_TEMPLATE_LENGTH) {
    const detail = `Chat template is ${template.length} characters, limit is ${MAX_TEMPLATE_LENGTH}`;
    return { reasons: [templateReason('template.too_long', detail)], templateSha256, renderedSha256: null, rendered: null, renderedWithoutSystem: null };
  }
  const reasons: Reason[] = [];
  for (const shape of findEmbeddedUrls(template)) reasons.push(templateReason('template.embedded_url', `Chat template text carries ${shape}`));
  const escaped = findEscapedAscii(template);
  if (escaped.length > 0) reasons.push(templateReason('template.ssti', `String literal hides ${JSON.stringify(escaped.join('').slice(0, 16))} behind escapes`));

  let program: ProgramNode;
  try {
    // The same lexer options Template uses, so the AST checked is the AST rendered.
    const tokens = tokenize(template, { lstrip_blocks: true, trim_blocks: true });
    for (const name of findLoaderStatements(tokens)) reasons.push(templateReason('template.ssti', `Template uses {% ${name} %}, which loads another template`));
    program = parse(tokens);
  } catch (error) {
    for (const shape of findSstiText(template)) reasons.push(templateReason('template.ssti', `Unparsable template carries ${shape}`));
    reasons.push(templateReason('template.parse_error', `Cannot parse chat template: ${errorMessage(error)}`));
    return { reasons: unique(reasons), templateSha256, renderedSha256: null, rendered: null, renderedWithoutSystem: null };
  }

  for (const finding of checkTemplateAst(program)) reasons.push(templateReason(finding.code, finding.detail));
  if (reasons.length > 0) return { reasons: unique(reasons), templateSha256, renderedSha256: null, rendered: null, renderedWithoutSystem: null };
  const rendered = renderFixedMessages(program);
  return { reasons, templateSha256, renderedSha256: rendered === null ? null : sha256(rendered), rendered, renderedWithoutSystem: renderFixedMessages(program, { systemTurn: false }) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The parser's message, cut short: it can quote the template. */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 120 ? `${message.slice(0, 120)}…` : message;
}

function unique(reasons: Reason[]): Reason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => !seen.has(r.code + r.detail) && seen.add(r.code + r.detail)).slice(0, MAX_REASONS);
}
