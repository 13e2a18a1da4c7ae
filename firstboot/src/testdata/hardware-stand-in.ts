import { KeepError } from '@keep/core';
import type { Executor, RunOptions, RunResult } from '../executor.js';

/** What the stand-in remembers between runs, as the machine would. */
export interface StandInState {
  open: Set<string>;
  filesystems: Map<string, string>;
  mounted: Set<string>;
  /** Every command line run, in order. */
  calls: string[];
  /** Command-line prefixes that fail once, the next time they run. */
  failOnce: string[];
}

const OK: RunResult = { code: 0, stdout: '', stderr: '' };

/**
 * The real executor, except for what this machine lacks: device-mapper (so `cryptsetup
 * open`, a mapper's file system, mkfs and the mount unit) is simulated after checking for real
 * that the key given opens the header. Everything else (luksFormat, keyslots, tokens,
 * clevis against swtpm, blkid on the vault file) runs for real.
 */
export function hardwareStandIn(real: Executor, state: StandInState): Executor {
  return {
    async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
      const line = [cmd, ...args].join(' ');
      state.calls.push(line);
      const fail = state.failOnce.findIndex((prefix) => line.startsWith(prefix));
      if (fail >= 0) {
        state.failOnce.splice(fail, 1);
        throw new KeepError('firstboot.command_failed', `${line} failed (injected)`, { status: 500 });
      }
      const last = args[args.length - 1] ?? '';
      const result = (ok: boolean): RunResult => {
        if (!ok && !opts.allowFailure) throw new KeepError('firstboot.command_failed', `${line} failed (stand-in)`, { status: 500 });
        return ok ? OK : { code: 1, stdout: '', stderr: '' };
      };
      if (cmd === 'cryptsetup' && args[0] === 'open' && !args.includes('--test-passphrase')) {
        // open [--key-file K] DEV NAME: the key must really open the header.
        await real.run('cryptsetup', ['open', '--test-passphrase', ...args.slice(1, -1)], opts);
        state.open.add(`/dev/mapper/${last}`);
        return OK;
      }
      if (cmd === 'test' && args[0] === '-b' && last.startsWith('/dev/mapper/')) return result(state.open.has(last));
      if (cmd === 'blkid' && last.startsWith('/dev/mapper/')) {
        const type = state.filesystems.get(last);
        return type ? { code: 0, stdout: `${type}\n`, stderr: '' } : { ...result(false), code: 2 };
      }
      if (cmd.startsWith('mkfs.')) {
        if (!state.open.has(last)) return result(false);
        state.filesystems.set(last, cmd.slice('mkfs.'.length));
        return OK;
      }
      if (cmd === 'mountpoint') return result(state.mounted.has(last));
      if (cmd === 'systemctl' && args[0] === 'daemon-reload') return OK;
      if (cmd === 'systemctl' && args[0] === 'start' && last.endsWith('.mount')) {
        // The mount unit fstab's line makes: its path, mounted from a mapper with a file system.
        const path = (await real.run('systemd-escape', ['--unescape', '--path', last.slice(0, -'.mount'.length)])).stdout.trim();
        if (![...state.filesystems.keys()].some((mapper) => state.open.has(mapper))) return result(false);
        state.mounted.add(path);
        return OK;
      }
      return real.run(cmd, args, opts);
    },
  };
}
