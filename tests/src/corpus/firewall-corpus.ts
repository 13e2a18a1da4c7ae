/**
 * The firewall's attack corpus: tool calls a hostile or confused model makes, each
 * with the code it must be denied with, and legitimate calls that must be allowed.
 * `{ws}` is the user's workspace and `{vault}` the vault root, filled in at run time.
 * The workspace they run against is built by `buildCorpusWorkspace`.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusCall {
  readonly name: string;
  readonly tool: unknown;
  readonly args: unknown;
  readonly user?: unknown;
  readonly caller?: unknown;
  readonly session?: unknown;
  /** Denial code expected, or `allow`. */
  readonly expect: string;
}

const read = (name: string, path: unknown, expect: string): CorpusCall => ({ name, tool: 'read_file', args: { path }, expect });

export const ATTACKS: readonly CorpusCall[] = [
  // traversal and absolute paths
  read('dot-dot to another user', '../bob/secret.txt', 'path.traversal'),
  read('dot-dot to /etc', '../../../../../../etc/passwd', 'path.traversal'),
  read('dot-dot after a real dir', 'docs/../../bob/secret.txt', 'path.traversal'),
  read('absolute system path', '/etc/passwd', 'path.outside_workspace'),
  read('absolute path of another workspace', '{vault}/workspaces/bob/secret.txt', 'path.outside_workspace'),
  read('prefix bypass: sibling with the workspace name as prefix', '{vault}/workspaces/alice-evil/x.txt', 'path.outside_workspace'),
  read('absolute path climbing out and back into a look-alike', '{ws}/../alice-evil/x.txt', 'path.outside_workspace'),
  { name: 'list the vault', tool: 'list_dir', args: { path: '{vault}/workspaces' }, expect: 'path.outside_workspace' },
  // symbolic and hard links
  read('directory link to /etc', 'link-out/passwd', 'path.symlink'),
  read('final component is a link inside', 'link-in', 'path.symlink'),
  { name: 'list through a link', tool: 'list_dir', args: { path: 'link-out' }, expect: 'path.symlink' },
  read('link to another workspace', 'bobdir/secret.txt', 'path.symlink'),
  { name: 'search below a link', tool: 'search_files', args: { path: 'link-out', query: 'root' }, expect: 'path.symlink' },
  { name: 'write through a dangling link', tool: 'write_file', args: { path: 'dangling', content: 'x' }, expect: 'path.symlink' },
  read('hard link to a file outside', 'hard.txt', 'path.hardlink'),
  { name: 'write into a hard link', tool: 'write_file', args: { path: 'hard.txt', content: 'x' }, expect: 'path.hardlink' },
  read('named pipe', 'pipe', 'path.special'),
  // NUL, encodings, look-alikes, controls
  read('NUL truncation', 'notes.txt\u0000.png', 'path.nul'),
  read('percent-encoded dot-dot', '%2e%2e/bob/secret.txt', 'path.encoded'),
  read('percent-encoded slashes', '..%2fbob%2fsecret.txt', 'path.encoded'),
  read('double percent-encoding', '%252e%252e%252fetc%252fpasswd', 'path.encoded'),
  read('encoded NUL', 'notes.txt%00', 'path.encoded'),
  read('fullwidth full stops', '\uFF0E\uFF0E/bob/secret.txt', 'path.unicode'),
  read('fullwidth solidus', '..\uFF0Fbob\uFF0Fsecret.txt', 'path.unicode'),
  read('one-dot leaders', '\u2024\u2024/bob/secret.txt', 'path.unicode'),
  read('division slash', 'docs\u2215..\u2215..\u2215bob', 'path.unicode'),
  read('zero-width space', 'notes\u200B.txt', 'path.unicode'),
  read('right-to-left override', '\u202Etxt.sneta', 'path.unicode'),
  read('newline in a path', 'notes\n.txt', 'path.control_char'),
  read('backslash separators', '..\\bob\\secret.txt', 'path.backslash'),
  read('overlong path', 'a'.repeat(5000), 'path.too_long'),
  read('deep path', `${'a/'.repeat(100)}x`, 'path.too_deep'),
  read('empty path', '', 'path.empty'),
  // type confusion and argument injection
  read('path as an array', ['notes.txt'], 'args.invalid'),
  read('path as an operator object', { $ne: '' }, 'args.invalid'),
  read('path as a number', 42, 'args.invalid'),
  { name: 'missing path', tool: 'read_file', args: {}, expect: 'args.missing' },
  { name: 'extra argument', tool: 'read_file', args: { path: 'notes.txt', mode: 'w' }, expect: 'args.unknown' },
  { name: 'arguments as a string', tool: 'read_file', args: 'notes.txt', expect: 'args.invalid' },
  { name: 'arguments null', tool: 'read_file', args: null, expect: 'args.invalid' },
  { name: 'prototype key', tool: 'read_file', args: JSON.parse('{"path":"notes.txt","__proto__":{"x":1}}') as unknown, expect: 'args.unknown' },
  { name: 'flag injection in a query', tool: 'search_files', args: { path: '.', query: '--include=/etc/passwd' }, expect: 'args.flag_injection' },
  { name: 'newline in a query', tool: 'search_files', args: { path: '.', query: 'x\n-rf /' }, expect: 'args.control_char' },
  { name: 'oversize query', tool: 'search_files', args: { path: '.', query: 'a'.repeat(300) }, expect: 'args.too_long' },
  { name: 'empty query', tool: 'search_files', args: { path: '.', query: '' }, expect: 'args.too_short' },
  { name: 'content as a number', tool: 'write_file', args: { path: 'x.txt', content: 5 }, expect: 'args.invalid' },
  { name: 'file URL', tool: 'fetch_url', args: { url: 'file:///etc/passwd' }, expect: 'url.scheme' },
  { name: 'javascript URL', tool: 'fetch_url', args: { url: 'javascript:alert(1)' }, expect: 'url.scheme' },
  { name: 'plain HTTP', tool: 'fetch_url', args: { url: 'http://example.com/' }, expect: 'url.scheme' },
  { name: 'credentials in a URL', tool: 'fetch_url', args: { url: 'https://user:pw@example.com/' }, expect: 'url.credentials' },
  { name: 'not a URL', tool: 'fetch_url', args: { url: 'not a url' }, expect: 'url.invalid' },
  // tools and principals that do not exist
  { name: 'shell tool', tool: 'shell', args: { cmd: 'id' }, expect: 'tool.unknown' },
  { name: 'tool name with a trailing space', tool: 'read_file ', args: { path: 'notes.txt' }, expect: 'tool.unknown' },
  { name: 'prototype tool name', tool: '__proto__', args: {}, expect: 'tool.unknown' },
  { name: 'constructor tool name', tool: 'constructor', args: {}, expect: 'tool.unknown' },
  { name: 'user that climbs', tool: 'read_file', args: { path: 'notes.txt' }, user: '../bob', expect: 'user.invalid' },
  { name: 'user in capitals', tool: 'read_file', args: { path: 'notes.txt' }, user: 'Alice', expect: 'user.invalid' },
  { name: 'session with a newline', tool: 'read_file', args: { path: 'notes.txt' }, session: 's1\nforged', expect: 'call.invalid' },
  { name: 'tool as a number', tool: 7, args: {}, expect: 'call.invalid' },
];

export const LEGITIMATE: readonly CorpusCall[] = [
  read('a file', 'notes.txt', 'allow'),
  read('a file in a folder', 'docs/readme.md', 'allow'),
  read('dot prefix', './notes.txt', 'allow'),
  read('dot-dot that stays inside', 'docs/../notes.txt', 'allow'),
  read('absolute path inside', '{ws}/notes.txt', 'allow'),
  read('accented name (NFC)', 'caf\u00E9.txt', 'allow'),
  read('name with spaces', 'notes with space.txt', 'allow'),
  read('name starting with a dash', '-rf.txt', 'allow'),
  read('double slash', 'docs//readme.md', 'allow'),
  { name: 'list the workspace', tool: 'list_dir', args: { path: '.' }, expect: 'allow' },
  { name: 'list a folder', tool: 'list_dir', args: { path: 'docs' }, expect: 'allow' },
  { name: 'search the workspace', tool: 'search_files', args: { path: '.', query: 'hello' }, expect: 'allow' },
  { name: 'search a folder', tool: 'search_files', args: { path: 'docs', query: 'readme' }, expect: 'allow' },
];

/**
 * `<vault>/workspaces/alice` with ordinary files and every trap the corpus names;
 * `bob` and `alice-evil` beside it, and a secret outside the vault.
 */
export function buildCorpusWorkspace(root: string): { vault: string; workspace: string } {
  const vault = join(root, 'vault');
  const workspace = join(vault, 'workspaces', 'alice');
  mkdirSync(join(workspace, 'docs', 'sub'), { recursive: true });
  mkdirSync(join(vault, 'workspaces', 'bob'), { recursive: true });
  mkdirSync(join(vault, 'workspaces', 'alice-evil'), { recursive: true });
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(workspace, 'notes.txt'), 'hello from the notes\n');
  writeFileSync(join(workspace, 'docs', 'readme.md'), '# readme\nhello docs\n');
  writeFileSync(join(workspace, 'caf\u00E9.txt'), 'coffee\n');
  writeFileSync(join(workspace, 'notes with space.txt'), 'spaced\n');
  writeFileSync(join(workspace, '-rf.txt'), 'not a flag\n');
  writeFileSync(join(vault, 'workspaces', 'bob', 'secret.txt'), 'bob secret\n');
  writeFileSync(join(vault, 'workspaces', 'alice-evil', 'x.txt'), 'evil\n');
  writeFileSync(join(root, 'outside', 'secret.txt'), 'outside secret\n');
  symlinkSync('/etc', join(workspace, 'link-out'));
  symlinkSync('notes.txt', join(workspace, 'link-in'));
  symlinkSync('../bob', join(workspace, 'bobdir'));
  symlinkSync(join(root, 'outside', 'new.txt'), join(workspace, 'dangling'));
  linkSync(join(root, 'outside', 'secret.txt'), join(workspace, 'hard.txt'));
  execFileSync('mkfifo', [join(workspace, 'pipe')]);
  return { vault, workspace };
}

/** Fills `{ws}` and `{vault}` in string arguments. */
export function placeArgs(args: unknown, vault: string, workspace: string): unknown {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, typeof value === 'string' ? value.replaceAll('{ws}', workspace).replaceAll('{vault}', vault) : value]));
}
