import { KeepError } from '@keep/core/errors';
import type { Reason, ReasonTable } from '../../pipeline/reason.js';
import type { YaraMatch } from './scan-file-in-chunks.js';

/** The YARA pass's codes: one refusal reason and the ways the pass itself can fail. */
export const YARA_REASONS = {
  'yara.match': 'A YARA rule matched the file; the detail names the rule and the absolute offset of its first hit',
  'yara.rules_invalid': 'The YARA rule source does not compile or declares no rule, so no scan was run',
  'yara.scan_failed': 'The file could not be read or the scanner failed, so the file was not scanned',
  'yara.aborted': 'The scan was cancelled before it reached the end of the file',
} as const satisfies ReasonTable;

export type YaraCode = keyof typeof YARA_REASONS;

const STATUS: Record<Exclude<YaraCode, 'yara.match'>, number> = {
  'yara.rules_invalid': 422,
  'yara.scan_failed': 500,
  'yara.aborted': 503,
};

/** A failure of the YARA pass itself (never a match: matches are reasons, not errors). */
export class YaraError extends KeepError {
  override readonly code: Exclude<YaraCode, 'yara.match'>;

  constructor(code: Exclude<YaraCode, 'yara.match'>, detail: string, cause?: unknown) {
    super(code, detail, { status: STATUS[code], ...(cause === undefined ? {} : { cause }) });
    this.code = code;
  }
}

/**
 * One `yara.match` reason per matched rule, in file order. The detail names the
 * rule, its tags and the offset; never the matched bytes, which are attacker data.
 *
 * @example
 *   yaraReasons([{ rule: 'Keep_Embedded_ELF', tags: ['executable'], offset: 4096 }])
 *   // [{ code: 'yara.match', stage: 'yara', detail: 'Rule Keep_Embedded_ELF (executable) matched at offset 4096' }]
 */
export function yaraReasons(matches: readonly YaraMatch[]): Reason[] {
  return [...matches]
    .sort((a, b) => a.offset - b.offset || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))
    .map((m) => ({
      code: 'yara.match',
      stage: 'yara',
      detail: `Rule ${m.rule}${m.tags.length > 0 ? ` (${m.tags.join(', ')})` : ''} matched at offset ${m.offset}`,
    }));
}
