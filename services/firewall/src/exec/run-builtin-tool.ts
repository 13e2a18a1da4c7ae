import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, readSync, readdirSync, writeSync } from 'node:fs';
import { KeepError } from '@keep/core';
import { openAt, openDirectory, openInWorkspace } from './open-in-workspace.js';

/** What a tool returns to the model. */
export interface ToolResult {
  content: string;
  truncated: boolean;
}

export interface ExecutorLimits {
  /** Largest result handed back to the model. */
  maxOutputBytes: number;
  /** Bytes read from one file. */
  maxReadBytes: number;
  /** Entries listed or visited. */
  maxEntries: number;
  /** Wall time one call may take. */
  timeoutMs: number;
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants;

/**
 * The built-in tools, run in-process with no shell and no child: read_file, list_dir,
 * write_file, search_files, each on descriptors opened by `openInWorkspace`.
 * `segments` are the decided path below `workspaceReal`.
 */
export function runBuiltinTool(tool: string, args: Record<string, unknown>, workspaceReal: string, segments: readonly string[], limits: ExecutorLimits, now: () => number): ToolResult {
  switch (tool) {
    case 'read_file':
      return readFile(workspaceReal, segments, limits);
    case 'list_dir':
      return listDir(workspaceReal, segments, limits);
    case 'write_file':
      return writeFile(workspaceReal, segments, String(args['content'] ?? ''), limits);
    case 'search_files':
      return searchFiles(workspaceReal, segments, String(args['query'] ?? ''), limits, now);
    default:
      throw new KeepError('exec.no_executor', `No executor for tool ${tool}`, { status: 501 });
  }
}

function readFile(workspaceReal: string, segments: readonly string[], limits: ExecutorLimits): ToolResult {
  const { fd, stats } = openInWorkspace(workspaceReal, segments, 'file');
  try {
    const bytes = readUpTo(fd, Math.min(limits.maxReadBytes, limits.maxOutputBytes));
    if (bytes.includes(0)) throw new KeepError('exec.binary_file', 'The file is binary, not text', { status: 400 });
    return { content: bytes.toString('utf8'), truncated: stats.size > bytes.length };
  } finally {
    closeSync(fd);
  }
}

function listDir(workspaceReal: string, segments: readonly string[], limits: ExecutorLimits): ToolResult {
  const { fd } = openInWorkspace(workspaceReal, segments, 'dir');
  try {
    const entries = readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const shown = entries.slice(0, limits.maxEntries).map((e) => `${e.name}${e.isDirectory() ? '/' : e.isSymbolicLink() ? ' (link)' : ''}`);
    return capped(shown.join('\n'), limits, entries.length > shown.length);
  } finally {
    closeSync(fd);
  }
}

function writeFile(workspaceReal: string, segments: readonly string[], content: string, limits: ExecutorLimits): ToolResult {
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.length > limits.maxReadBytes) throw new KeepError('exec.too_large', `Content is ${bytes.length} bytes, limit is ${limits.maxReadBytes}`, { status: 400 });
  // No O_TRUNC: a file with a second hard link must be refused before a byte of it changes.
  const { fd } = openInWorkspace(workspaceReal, segments, 'file', O_WRONLY | O_CREAT);
  try {
    ftruncateSync(fd, 0);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { content: `Wrote ${bytes.length} bytes to ${segments.join('/')}`, truncated: false };
}

function searchFiles(workspaceReal: string, segments: readonly string[], query: string, limits: ExecutorLimits, now: () => number): ToolResult {
  const deadline = now() + limits.timeoutMs;
  const matches: string[] = [];
  let visited = 0;
  let truncated = false;
  // Depth-first over directory descriptors; links are never followed, special files never opened.
  const walk = (dirFd: number, prefix: string, depth: number): void => {
    for (const entry of readdirSync(`/proc/self/fd/${dirFd}`, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++visited > limits.maxEntries || now() > deadline || matches.length >= 200) {
        truncated = true;
        return;
      }
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory() && depth < 16) {
        const child = openAt(dirFd, entry.name, O_RDONLY | constants.O_DIRECTORY | O_NOFOLLOW);
        try {
          walk(child, path, depth + 1);
        } finally {
          closeSync(child);
        }
      } else if (entry.isFile()) {
        let fd: number;
        try {
          fd = openAt(dirFd, entry.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        } catch {
          continue;
        }
        try {
          // A second hard link may be a file from outside the workspace: skipped, like links.
          const stats = fstatSync(fd);
          if (!stats.isFile() || stats.nlink > 1) continue;
          const bytes = readUpTo(fd, limits.maxReadBytes);
          if (bytes.includes(0)) continue;
          bytes.toString('utf8').split('\n').forEach((line, i) => {
            if (line.includes(query) && matches.length < 200) matches.push(`${path}:${i + 1}: ${line.slice(0, 200)}`);
          });
        } finally {
          closeSync(fd);
        }
      }
      if (truncated) return;
    }
  };
  const root = openDirectory(workspaceReal, segments);
  try {
    walk(root, segments.join('/'), 0);
  } finally {
    closeSync(root);
  }
  return capped(matches.length === 0 ? 'No matches' : matches.join('\n'), limits, truncated);
}

function readUpTo(fd: number, max: number): Buffer {
  const buffer = Buffer.alloc(max);
  let total = 0;
  while (total < max) {
    const n = readSync(fd, buffer, total, max - total, null);
    if (n === 0) break;
    total += n;
  }
  return buffer.subarray(0, total);
}

function capped(text: string, limits: ExecutorLimits, truncated: boolean): ToolResult {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limits.maxOutputBytes) return { content: text, truncated };
  return { content: bytes.subarray(0, limits.maxOutputBytes).toString('utf8'), truncated: true };
}
