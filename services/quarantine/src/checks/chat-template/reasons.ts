import type { Reason, ReasonTable } from '../../pipeline/reason.js';

/** Why the chat-template check refused a template. */
export const TEMPLATE_REASONS = {
  'template.too_long': 'The chat template is longer than the scan accepts; real templates are under ~20 KiB',
  'template.parse_error': 'The chat template does not parse as Jinja, so it cannot be shown to be safe',
  'template.ssti':
    'The chat template reaches for Python internals, loads other templates, builds names at run time, or uses a construct outside the allowlist (server-side template injection)',
  'template.unbounded': 'The chat template uses a construct that can make rendering unbounded (exponent, huge literal, repeat factor)',
  'template.too_complex': 'The chat template nests deeper than the scan walks',
  'template.embedded_url': 'The chat template carries a URL: real templates never do; one is an instruction or exfiltration target smuggled to the model',
} as const satisfies ReasonTable;

export type TemplateReasonCode = keyof typeof TEMPLATE_REASONS;

export function templateReason(code: TemplateReasonCode, detail: string): Reason {
  return { code, stage: 'static', detail };
}
