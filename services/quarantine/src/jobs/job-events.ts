import { EventEmitter } from 'node:events';
import type { Job } from './job-store.js';

/** What a job's SSE stream carries: state changes with the whole job, and progress. */
export type JobEvent =
  | { type: 'state'; job: Job }
  | { type: 'progress'; jobId: string; stage: string; bytes: number; total: number };

/** In-process fan-out of job events to SSE subscribers; the store stays the source of truth. */
export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open SSE stream: many UI tabs are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(event: JobEvent): void {
    const jobId = event.type === 'state' ? event.job.id : event.jobId;
    this.emitter.emit(jobId, event);
    this.emitter.emit('*', event);
  }

  /** Returns the unsubscribe function. `'*'` follows every job. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    this.emitter.on(jobId, listener);
    return () => this.emitter.off(jobId, listener);
  }
}
