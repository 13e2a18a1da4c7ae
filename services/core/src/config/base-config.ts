import { z } from 'zod';
import { KeepError } from '../errors.js';
import { parseListenAddress } from './listen-address.js';

/** A listener string, checked for loopback-only at parse time. */
export const listenSchema = z.string().superRefine((value, ctx) => {
  try {
    parseListenAddress(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/**
 * Keys every service has. Services build their schema with `serviceConfig(...)`,
 * which makes the object strict: an unknown key fails start-up.
 */
export function serviceConfig<Shape extends z.ZodRawShape>(defaultSocket: string, shape: Shape) {
  return z.strictObject({
    listen: listenSchema.default(`unix:/run/keep/${defaultSocket}.sock`)
      .describe('Listener: `unix:/run/keep/NAME.sock` in the appliance, `tcp:127.0.0.1:PORT` in dev'),
    socketMode: z.string().regex(/^0[0-7]{3}$/, 'must be an octal mode such as 0660').default('0660')
      .transform((mode) => Number.parseInt(mode, 8))
      .describe('Permission bits of the unix socket, octal (group `keep` may connect)'),
    stateDir: z.string().startsWith('/').default('/var/lib/keep')
      .describe('State directory holding `keep.db`'),
    credentialsDir: z.string().startsWith('/').optional()
      .describe("Credential directory when not started by systemd (systemd's `$CREDENTIALS_DIRECTORY` wins)"),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info')
      .describe('Lowest log level written to stdout'),
    allowedHosts: z.array(z.string().min(1).max(253)).max(32).default([])
      .describe('Extra Host header values accepted besides loopback names (DNS rebinding guard)'),
    bodyLimitBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024)
      .describe('Largest JSON request body accepted'),
    drainTimeoutMs: z.number().int().min(0).max(120_000).default(10_000)
      .describe('How long open requests may finish after SIGTERM'),
    ...shape,
  });
}

export type BaseServiceConfig = z.output<ReturnType<typeof serviceConfig<{}>>>;

/** The credential directory a service was given (systemd's `$CREDENTIALS_DIRECTORY` or `credentialsDir`); none stops start-up. */
export function credentialsDirOf(config: { credentialsDir?: string | undefined }): string {
  if (config.credentialsDir === undefined) {
    throw new KeepError('credential.missing', 'No credential directory: set $CREDENTIALS_DIRECTORY (systemd) or credentialsDir', { status: 500 });
  }
  return config.credentialsDir;
}
