import { freemem } from 'node:os';

export interface MemoryNeed {
  /** The model file: with mmap its pages must be resident to generate at speed. */
  modelBytes: number;
  /** KV cache and compute buffers of the context, as node-llama-cpp estimates them. */
  contextBytes: number;
}

export interface MemoryBudget {
  /** What the machine or the cgroup still has free. */
  availableBytes: number;
  reserveBytes: number;
  /** An admin's cap, when lower than what is free. */
  limitBytes?: number | undefined;
}

/** The shortfall in bytes (0 when it fits); pure, so the decision is testable. */
export function memoryShortfall(need: MemoryNeed, budget: MemoryBudget): number {
  const required = need.modelBytes + need.contextBytes;
  const room = Math.min(budget.availableBytes - budget.reserveBytes, budget.limitBytes ?? Number.POSITIVE_INFINITY);
  return Math.max(0, required - room);
}

/**
 * Free memory as the process can use it: the kernel's MemAvailable, and under a
 * cgroup limit (systemd's MemoryMax) what is left of it, whichever is smaller.
 */
export function availableMemory(): number {
  const constrained = typeof process.availableMemory === 'function' ? process.availableMemory() : Number.POSITIVE_INFINITY;
  return Math.min(freemem(), constrained > 0 ? constrained : Number.POSITIVE_INFINITY);
}
