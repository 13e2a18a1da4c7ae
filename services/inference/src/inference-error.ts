import { KeepError } from '@keep/core';

/**
 * keep-inference's stable codes, with the HTTP status each answers with and what
 * it means. Clients branch on these, never on the detail text.
 */
export const INFERENCE_CODES = {
  'inference.unknown_model': [404, 'No active registry model has this name or `sha256:<hex>`'],
  'inference.model_contained': [409, 'The registry has contained this model; it cannot be loaded'],
  'inference.integrity_failed': [409, "The model file's bytes do not hash to the registry's sha256 (or it is not a regular file): refused"],
  'inference.insufficient_memory': [507, 'The model and its context do not fit in the memory available'],
  'inference.load_failed': [500, 'llama.cpp could not load the verified file'],
  'inference.prompt_too_long': [413, 'The rendered prompt is longer than the cap, or prompt plus `max_tokens` exceeds the context'],
  'inference.max_tokens_too_large': [400, '`max_tokens` is above the configured cap'],
  'inference.busy': [503, 'One generation runs and the queue is full; retry after `Retry-After` seconds'],
  'inference.timeout': [504, 'The request ran longer than `requestTimeoutMs`'],
  'inference.cancelled': [499, 'The client went away; the generation was stopped'],
  'inference.generation_failed': [500, 'llama.cpp failed while generating'],
} as const satisfies Record<string, readonly [number, string]>;

export type InferenceCode = keyof typeof INFERENCE_CODES;

export function inferenceError(code: InferenceCode, detail: string, extra?: Record<string, unknown>): KeepError {
  return new KeepError(code, detail, { status: INFERENCE_CODES[code][0], ...(extra === undefined ? {} : { extra }) });
}
