export { TensorScanner, type TensorScanResult } from './tensor-scanner.js';
export { layoutFromGguf, layoutFromSafetensors, type TensorLayout, type LayoutRegion } from './tensor-layout.js';
export { ggmlKind, safetensorsKind, type TensorKind, type ScaleField, type ValueFormat } from './tensor-kind.js';
export { TENSOR_REASONS, type TensorReasonCode } from './tensor-reasons.js';
export type { TensorFinding } from './tensor-finding.js';
export type { ValueStats } from './moments.js';
