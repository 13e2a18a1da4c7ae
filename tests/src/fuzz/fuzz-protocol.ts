/** Messages and shared memory between the fuzz runner and its worker. */
export const CONTROL = { iteration: 0, stop: 1, executions: 2 } as const;

export interface WorkerData {
  target: string;
  seed: number;
  /** First iteration, then every `stride`-th: workers of one run share the sequence. */
  start: number;
  stride: number;
  deadlineMs: number;
  maxHeapGrowthBytes: number;
  /** Int32Array over it: [current iteration, stop flag, inputs run]; shared so a killed worker's count survives it. */
  control: SharedArrayBuffer;
}

export type FindingReason = 'exception' | 'hang' | 'slow' | 'heap' | 'crash';

export type WorkerMessage =
  | { kind: 'stats'; outcomes: Record<string, number>; heapBytes: number }
  | { kind: 'finding'; iteration: number; reason: FindingReason; message: string; stack: string; input: Uint8Array }
  | { kind: 'done' };
