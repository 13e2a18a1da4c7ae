import { KeepError } from '@keep/core/errors';

/**
 * Why a model file's structure is refused. Stable codes: tests, the UI and the
 * audit chain use them; `docs/reasons.md` will list them with their meaning.
 */
export const FORMAT_CODES = [
  'gguf.bad_magic',
  'gguf.unsupported_version',
  'gguf.truncated',
  'gguf.count_limit',
  'gguf.string_limit',
  'gguf.invalid_utf8',
  'gguf.unknown_value_type',
  'gguf.nested_array',
  'gguf.duplicate_key',
  'gguf.bad_alignment',
  'gguf.unknown_tensor_type',
  'gguf.dims_limit',
  'gguf.bad_shape',
  'gguf.duplicate_tensor',
  'gguf.misaligned_tensor',
  'gguf.tensor_out_of_bounds',
  'gguf.tensor_overlap',
  'gguf.gap',
  'gguf.trailing_data',
  'gguf.header_limit',
  'safetensors.truncated',
  'safetensors.header_limit',
  'safetensors.bad_json',
  'safetensors.invalid_utf8',
  'safetensors.duplicate_key',
  'safetensors.bad_entry',
  'safetensors.unknown_dtype',
  'safetensors.bad_shape',
  'safetensors.size_mismatch',
  'safetensors.tensor_out_of_bounds',
  'safetensors.overlap',
  'safetensors.gap',
  'safetensors.trailing_data',
  'safetensors.bad_metadata',
] as const;

export type FormatCode = (typeof FORMAT_CODES)[number];

/** A structural refusal: bad input, so status 422, with the offset where it was found when known. */
export class FormatError extends KeepError {
  override readonly code: FormatCode;
  readonly offset: number | undefined;

  constructor(code: FormatCode, detail: string, offset?: number) {
    super(code, detail, { status: 422, ...(offset === undefined ? {} : { extra: { offset } }) });
    this.code = code;
    this.offset = offset;
  }
}
