/**
 * Names that reach Python internals or the host in a Jinja2 environment. Jinja
 * SSTI chains (CVE-2024-34359 and its kin) climb from any object to `os` through
 * these; @huggingface/jinja has no such object model, but other engines render the
 * same template, so a template that names them is refused whatever engine runs it.
 */

/** Free variables that are gadgets in Jinja2/Flask contexts, or Python builtins. */
export const DENIED_GLOBALS: ReadonlySet<string> = new Set([
  'self', 'cycler', 'joiner', 'lipsum', 'caller', 'config', 'request', 'session', 'url_for', 'get_flashed_messages',
  'os', 'sys', 'subprocess', 'builtins', 'eval', 'exec', 'execfile', 'compile', 'open', 'popen', 'system', 'spawn',
  'fork', 'import', 'importlib', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'super', 'breakpoint',
  'exit', 'quit', 'socket', 'requests', 'urllib', 'pty', 'shutil', 'pickle', 'marshal', 'ctypes',
]);

/** Attribute names that are frames, code objects, module handles or gadget entry points. */
const DENIED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'mro', 'func_globals', 'func_code', 'func_closure', 'func_defaults', 'f_globals', 'f_locals', 'f_builtins',
  'f_back', 'f_code', 'gi_frame', 'gi_code', 'gi_yieldfrom', 'cr_frame', 'cr_code', 'ag_frame', 'ag_code',
  'tb_frame', 'tb_next', 'co_code', 'co_consts', 'im_func', 'im_self', 'im_class',
  'os', 'sys', 'subprocess', 'builtins', 'popen', 'system', 'spawn', 'spawnv', 'fork', 'exec', 'execv', 'eval',
  'import_module', 'load_module', 'modules', 'getattr', 'setattr', 'globals', 'locals', 'check_output',
  'application', 'environ', 'jinja_env', 'jinja_loader', 'from_pyfile', 'from_object', 'config', 'request',
  'cycler', 'joiner', 'lipsum', 'url_for', 'get_flashed_messages', 'self',
]);

/** True if `name` may not be read as an attribute or item: private, dunder, or a gadget. */
export function isDeniedAttribute(name: string): boolean {
  return name.startsWith('_') || name.includes('__') || DENIED_ATTRIBUTES.has(name);
}

/** True if `name` may not be used as a variable: a gadget global or a dunder. */
export function isDeniedGlobal(name: string): boolean {
  return name.includes('__') || DENIED_GLOBALS.has(name);
}

/**
 * True if a string value spells (part of) a dunder: real templates never need
 * `__` in a string, and every name-building dodge (`'_'*2`, `'__cla' ~ 'ss__'`,
 * `'\x5f\x5f'`) passes through one.
 */
export function spellsDunder(value: string): boolean {
  return value.includes('__') || /_TemplateReference|_module\b/.test(value);
}
