/**
 * @keep/quarantine: the gate every model passes before the registry will take it.
 * Parsers and checks are pure; the pipeline runs them in an unprivileged worker.
 */
export { FORMAT_CODES, FormatError, type FormatCode } from './formats/format-error.js';
export { GGML_TYPES, ggmlTypeByName, type GgmlType } from './formats/ggml-types.js';
export { parseGguf, DEFAULT_GGUF_LIMITS, type GgufHeader, type GgufParse, type GgufTensor, type GgufValue, type GgufLimits } from './formats/parse-gguf.js';
export { GgufStrings } from './formats/gguf-strings.js';
export { parseSafetensors, DEFAULT_SAFETENSORS_LIMITS, SAFETENSORS_DTYPE_BITS, type SafetensorsParse, type SafetensorsTensor, type SafetensorsLimits } from './formats/parse-safetensors.js';

export { STAGE_NAMES, type Reason, type ReasonTable, type StageName } from './pipeline/reason.js';
export { REASON_TABLES } from './pipeline/reason-tables.js';
export type { ScanInput, ScanProgress, ScanReport } from './pipeline/scan-report.js';
export { scanModel, type ScanSettings } from './pipeline/scan-model.js';
export { scanImport } from './pipeline/scan-import.js';
export { loadScanSettings } from './pipeline/scan-settings.js';
export { quarantinePolicySchema, loadQuarantinePolicy, DEFAULT_POLICY_FILE, SOURCE_KINDS, type QuarantinePolicy, type SourceKind } from './policy/quarantine-policy.js';
export { quarantineConfigSchema, type QuarantineConfig } from './config.js';

export { scanChatTemplate, type ChatTemplateVerdict } from './checks/chat-template/scan-chat-template.js';
export { SSTI_SHAPES } from './checks/chat-template/ssti-shapes.js';
export { sniffFormat, type SniffedFormat } from './checks/format/sniff-format.js';
export { parseModelLock, type ModelLock } from './checks/integrity/parse-model-lock.js';
export { loadTrustedKeys } from './checks/provenance/load-trusted-keys.js';
export { isBundle, unpackBundle, BundleError, type BundleManifest, type UnpackedBundle } from './bundle/index.js';
export { DEFAULT_YARA_RULES, compileYaraRules, scanFileWithYara, type YaraMatch } from './checks/yara/index.js';
export { BEHAVIOUR_REASONS, CANARY_SECRET, classifyCanaryReply, compareTemplateRenderings, type CanaryContext, type CanaryKind, type CanaryVerdict } from './checks/behaviour/index.js';
export { quarantinePaths, type QuarantinePaths } from './jobs/quarantine-paths.js';
export { isolatedNodeCommand } from './worker/run-scan-worker.js';
export { JOB_STATES, type Job, type JobState } from './jobs/job-store.js';
