/** A file of the hostile corpus, as written to disk. */
export interface HostileEntry {
  /** Absolute path. */
  file: string;
  /** Attack class, e.g. `gguf-count-overflow`; several files may share one. */
  attack: string;
  /** The exact reason code expected, or a prefix ending in `.` (`template.`) when the module deciding it picks the exact code. */
  expect: string;
}

/** A benign file: quarantine must accept it. */
export interface CorpusEntry {
  /** Absolute path. */
  file: string;
  /** What the file holds, in a few words. */
  description: string;
}

/** A corpus file before it is written: `name` is the file name, extension included. */
export interface CorpusCase {
  name: string;
  attack: string;
  expect: string;
  bytes: Uint8Array;
}

export const hostile = (name: string, attack: string, expect: string, bytes: Uint8Array): CorpusCase => ({ name, attack, expect, bytes });

export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return Buffer.concat(parts);
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
