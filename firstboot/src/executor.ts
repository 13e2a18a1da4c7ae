import { spawn } from 'node:child_process';
import { KeepError } from '@keep/core';

export interface RunOptions {
  /** Written to the command's stdin, then closed: how keys reach cryptsetup and clevis. */
  input?: string | Uint8Array;
  /** Added to the inherited environment (the TPM2 TCTI, say). */
  env?: Record<string, string>;
  /** A non-zero exit is returned instead of thrown (for probes such as `cryptsetup isLuks`). */
  allowFailure?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * How firstboot runs every system command. The appliance uses `processExecutor`; a
 * test wraps it to stand in for what a machine without device-mapper or a kernel TPM
 * cannot do, or to fail a chosen step. Arguments never carry a secret: keys go
 * through `input`.
 */
export interface Executor {
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

export const processExecutor: Executor = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C', ...opts.env },
        timeout: opts.timeoutMs ?? 300_000,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_OUTPUT) into.push(chunk);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
      child.on('error', (error) => reject(new KeepError('firstboot.command_failed', `Cannot run ${cmd}: ${error.message}`, { status: 500, cause: error })));
      child.on('close', (code, signal) => {
        const result = { code: code ?? 128, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
        if (result.code === 0 || opts.allowFailure) {
          resolve(result);
          return;
        }
        reject(commandFailed(cmd, args, result, signal));
      });
    });
  },
};

export function commandFailed(cmd: string, args: readonly string[], result: RunResult, signal: NodeJS.Signals | null = null): KeepError {
  const why = signal ? `was killed by ${signal}` : `exited with ${result.code}`;
  // The last lines say why (clevis reports the TPM's error above its own summary).
  const last = result.stderr.trim().split('\n').slice(-4).map((l) => l.trim()).filter(Boolean).join(' | ');
  return new KeepError('firstboot.command_failed', `${cmd} ${args.join(' ')} ${why}${last ? `: ${last}` : ''}`, { status: 500, extra: { cmd } });
}
