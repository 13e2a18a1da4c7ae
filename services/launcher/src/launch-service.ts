import { fork, type ChildProcess } from 'node:child_process';
import type { ServiceEntry } from '@keep/core';

export interface LaunchedService {
  readonly name: string;
  readonly child: ChildProcess;
  readonly endpoint: string;
}

export interface LaunchOptions {
  entry: ServiceEntry;
  script: string;
  env: NodeJS.ProcessEnv;
  startTimeoutMs: number;
}

/**
 * Starts one service as a child with an IPC channel and waits for its ready message
 * (the dev twin of sd_notify READY=1). If it exits or stays silent first, the error
 * says which service and quotes the end of what it wrote to stderr.
 */
export function launchService(options: LaunchOptions): Promise<LaunchedService> {
  const { entry } = options;
  const child = fork(options.script, [], { env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const stderrTail: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 5));
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      const said = stderrTail.length > 0 ? `: ${stderrTail.join(' | ')}` : '';
      reject(new Error(`${entry.name} failed to start (${why})${said}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${options.startTimeoutMs} ms`), options.startTimeoutMs);
    child.once('exit', (code, signal) => fail(signal ? `killed by ${signal}` : `exit code ${code}`));
    child.on('message', (message: unknown) => {
      const ready = message as { type?: string; endpoint?: string };
      if (ready.type !== 'keep.ready' || typeof ready.endpoint !== 'string') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ name: entry.name, child, endpoint: ready.endpoint });
    });
  });
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the child is gone. */
export function stopService(service: LaunchedService, graceMs: number): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
