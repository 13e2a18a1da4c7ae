/** The pipeline's stages, in the order a job meets them. */
export const STAGE_NAMES = ['bundle', 'source', 'format', 'integrity', 'provenance', 'static', 'yara', 'behaviour', 'worker'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * Why a stage refused (or flagged) a file: a stable code, the stage that found it,
 * and a short human sentence. Never raw scanner output or file content: these go
 * into the audit chain and the UI.
 */
export interface Reason {
  readonly code: string;
  readonly stage: StageName;
  readonly detail: string;
}

/**
 * A module's reason codes, each with one line on what it means. Every module that
 * refuses declares one; `docs/reasons.md` is generated from all of them.
 */
export type ReasonTable = Readonly<Record<string, string>>;
