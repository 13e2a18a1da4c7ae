import type { Reason, ReasonTable } from '../../pipeline/reason.js';
import type { TensorFinding } from './tensor-finding.js';

export const TENSOR_REASONS = {
  'weights.nan_inf': 'A float tensor holds NaN or infinite values: no trained model stores them, and they poison every result that touches them',
  'weights.scale_nan_inf': 'A quantized tensor has a block whose scale (d, dmin) is NaN or infinite, so the whole block decodes to NaN or Inf',
  'weights.nonzero_padding': 'Alignment padding between the header and tensors, or between tensors, holds nonzero bytes: room for a payload no loader reads',
} as const satisfies ReasonTable;

export type TensorReasonCode = keyof typeof TENSOR_REASONS;

/** Tensor names come from the file: quoted and cut short, so a detail stays one readable line. */
export function tensorLabel(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/** The reason a finding gives, if any. */
export function reasonOfFinding(f: TensorFinding): Reason | null {
  if (f.nan === 0 && f.inf === 0) return null;
  const code: TensorReasonCode = f.statsOf === 'scales' ? 'weights.scale_nan_inf' : 'weights.nan_inf';
  const what = f.statsOf === 'scales' ? 'block scales' : 'values';
  return {
    code, stage: 'static',
    detail: `Tensor ${tensorLabel(f.name)} (${f.type}) has ${f.nan} NaN and ${f.inf} infinite ${what}, the first at offset ${f.firstBadOffset ?? '?'}`,
  };
}

export function paddingReason(start: number, end: number, after: string | null, firstNonzero: number): Reason {
  const where = after === null ? 'before the first tensor' : `after tensor ${tensorLabel(after)}`;
  return { code: 'weights.nonzero_padding', stage: 'static', detail: `Padding ${where} (offsets ${start} to ${end}) has a nonzero byte at offset ${firstNonzero}` };
}
