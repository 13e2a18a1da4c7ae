export { FORMAT_CODES, FormatError, type FormatCode } from './formats/format-error.js';
