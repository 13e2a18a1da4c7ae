import { redact, redactString } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  /** Where a finished line goes; stdout (the journal) by default. */
  write?: (line: string) => void;
  clock?: () => number;
}

/**
 * Structured JSON lines, one per event, redacted exactly like audit details, so a
 * token in an error message is cut before it reaches the journal.
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const clock = options.clock ?? Date.now;
  const min = RANK[options.level];
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < min) return;
    const record = { time: new Date(clock()).toISOString(), level, service: options.service, msg: redactString(message), ...redact(fields ?? {}) };
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level, service: options.service, msg: record.msg, note: 'fields not serialisable' });
    }
    write(`${line}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
