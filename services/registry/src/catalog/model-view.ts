import type { ModelRecord } from './model-catalog.js';

/** A model as the API shows it; the per-tensor manifest only when one model is asked for. */
export function modelView(model: ModelRecord, withTensors = false): Record<string, unknown> {
  const { tensorManifest, ...rest } = model;
  return {
    ...rest,
    ref: `sha256:${model.sha256}`,
    tensorCount: tensorManifest.length,
    ...(withTensors ? { tensors: tensorManifest } : {}),
  };
}
