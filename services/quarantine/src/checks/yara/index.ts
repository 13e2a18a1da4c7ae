export { YARA_REASONS, YaraError, yaraReasons, type YaraCode } from './yara-reasons.js';
export { DEFAULT_YARA_RULES } from './default-yara-rules.js';
export { compileYaraRules, type CompiledYaraRules } from './compile-yara-rules.js';
export { scanFileWithYara, DEFAULT_YARA_CHUNK_BYTES, DEFAULT_YARA_OVERLAP_BYTES, type ScanFileWithYaraOptions } from './scan-file-with-yara.js';
export type { YaraMatch } from './scan-file-in-chunks.js';
