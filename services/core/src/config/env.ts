/**
 * The one place that reads `process.env`. Everything else receives these values.
 * The names and their meaning are listed in docs/config.md.
 */
export interface KeepEnv {
  /** Directory holding `<service>.yaml`; default `/etc/keep`, dev `<state>/config`. */
  readonly configDir: string | undefined;
  /** State directory (store, audit head, inbox); overrides the config key `stateDir`. */
  readonly stateDir: string | undefined;
  /** Overrides the config key `listen` (`tcp:127.0.0.1:0`, `unix:/run/keep/x.sock`). */
  readonly listen: string | undefined;
  /** Where credential files are; systemd's `$CREDENTIALS_DIRECTORY` wins. */
  readonly credentialsDir: string | undefined;
  /** Overrides the config key `logLevel`. */
  readonly logLevel: string | undefined;
  /** systemd's notification socket; unset outside a Type=notify unit. */
  readonly notifySocket: string | undefined;
  /** systemd's watchdog interval in microseconds, with the PID it is meant for. */
  readonly watchdogUsec: string | undefined;
  readonly watchdogPid: string | undefined;
  /** Dev launcher only: `1` binds every service to a kernel-chosen port (tests). */
  readonly devEphemeralPorts: boolean;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): KeepEnv {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    configDir: get('KEEP_CONFIG_DIR'),
    stateDir: get('KEEP_STATE_DIR'),
    listen: get('KEEP_LISTEN'),
    credentialsDir: get('CREDENTIALS_DIRECTORY') ?? get('KEEP_CREDENTIALS_DIR'),
    logLevel: get('KEEP_LOG_LEVEL'),
    notifySocket: get('NOTIFY_SOCKET'),
    watchdogUsec: get('WATCHDOG_USEC'),
    watchdogPid: get('WATCHDOG_PID'),
    devEphemeralPorts: get('KEEP_DEV_EPHEMERAL_PORTS') === '1',
  };
}

/** The environment variables Keep reads, for the generated reference. */
export const ENV_DOCS: ReadonlyArray<readonly [name: string, meaning: string]> = [
  ['KEEP_CONFIG_DIR', 'Directory of `<service>.yaml` files (default `/etc/keep`; dev: `<state>/config`)'],
  ['KEEP_STATE_DIR', 'State directory; overrides `stateDir`'],
  ['KEEP_LISTEN', 'Listener; overrides `listen` (`tcp:127.0.0.1:PORT` or `unix:/path`)'],
  ['KEEP_CREDENTIALS_DIR', 'Credential directory when not run by systemd (`$CREDENTIALS_DIRECTORY` wins)'],
  ['KEEP_LOG_LEVEL', 'Overrides `logLevel`'],
  ['KEEP_DEV_EPHEMERAL_PORTS', 'Dev launcher: `1` lets the kernel pick every port (tests); clients read `endpoints.json`'],
  ['NOTIFY_SOCKET, WATCHDOG_USEC', 'Set by systemd for Type=notify units; Keep sends READY, STATUS, WATCHDOG, STOPPING'],
];
