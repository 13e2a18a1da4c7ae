export { FORMAT_CODES, FormatError, type FormatCode } from './formats/format-error.js';
export { GGML_TYPES, ggmlTypeByName, type GgmlType } from './formats/ggml-types.js';
export { parseGguf, DEFAULT_GGUF_LIMITS, type GgufHeader, type GgufParse, type GgufTensor, type GgufValue, type GgufLimits } from './formats/parse-gguf.js';
export { parseSafetensors, DEFAULT_SAFETENSORS_LIMITS, SAFETENSORS_DTYPE_BITS, type SafetensorsParse, type SafetensorsTensor, type SafetensorsLimits } from './formats/parse-safetensors.js';
