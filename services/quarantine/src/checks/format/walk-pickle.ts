/**
 * Walks a pickle opcode stream (protocols 0–5) without executing or building
 * anything: it only steps over opcodes and their arguments, counting the ones
 * that import or call. Used to tell a pickle from look-alike bytes, and to answer
 * "would the loader import or call something before this stream breaks" — the
 * nullifAI trick puts the payload first and lets the rest of the pickle fail.
 */
export interface PickleWalk {
  /** `stop`: reached STOP; `invalid`: unknown opcode or bad argument; `truncated`: ran off the bytes; `budget`: too many opcodes. */
  readonly end: 'stop' | 'invalid' | 'truncated' | 'budget';
  /** Offset of the STOP, of the bad opcode, or where the bytes ran out. */
  readonly offset: number;
  /** Opcodes stepped over, the last one included when it was valid. */
  readonly opcodes: number;
  /** GLOBAL, INST, STACK_GLOBAL, EXT1/2/4: the loader imports a name. */
  readonly imports: number;
  /** REDUCE, BUILD, OBJ, INST, NEWOBJ(_EX), PERSID, BINPERSID: the loader calls something. */
  readonly calls: number;
}

type Arg =
  | { kind: 'none' }
  | { kind: 'fixed'; size: number }
  | { kind: 'line'; check: RegExp | null }
  | { kind: 'lines2' }
  | { kind: 'counted'; lengthBytes: 1 | 4 | 8; signed?: true }
  | { kind: 'proto' };

const NONE: Arg = { kind: 'none' };
const fixed = (size: number): Arg => ({ kind: 'fixed', size });
const line = (check: RegExp | null): Arg => ({ kind: 'line', check });
const counted = (lengthBytes: 1 | 4 | 8, signed?: true): Arg => (signed ? { kind: 'counted', lengthBytes, signed } : { kind: 'counted', lengthBytes });

const DIGITS = /^\d+$/;
const INT = /^[-+]?\d+$/;
const LONG = /^[-+]?\d+L?$/;
const FLOAT = /^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan)$/i;
const QUOTED = /^(?:'.*'|".*")$/s;
const IDENT = /^[A-Za-z_][A-Za-z0-9_.]{0,255}$/;
const IDENT_LINE_MAX = 256;
const TEXT_LINE_MAX = 1 << 20;

/**
 * What an opcode does to the unpickler's stack: `[pop, push]` on the items since the
 * last MARK, or one of the MARK-based shapes. CPython raises "stack underflow" on a
 * pop it cannot do, before the opcode acts, so an underflow ends the walk as invalid:
 * that is also what keeps prose from reading as a pickle.
 */
type Effect = readonly [pop: number, push: number] | 'mark' | 'collect' | 'collect_into' | 'obj' | 'pop_mark' | 'pop_any';

const PUSH: Effect = [0, 1];
const KEEP: Effect = [0, 0];

/** Opcode byte → argument shape and stack effect, from CPython's Lib/pickletools.py. */
const OPCODES = new Map<number, readonly [Arg, Effect]>([
  [ch('('), [NONE, 'mark']], [ch('.'), [NONE, [1, 0]]], [ch('0'), [NONE, 'pop_any']], [ch('1'), [NONE, 'pop_mark']],
  [ch('2'), [NONE, [1, 2]]], [ch('N'), [NONE, PUSH]], [ch('}'), [NONE, PUSH]], [ch(']'), [NONE, PUSH]], [ch(')'), [NONE, PUSH]],
  [ch('a'), [NONE, [2, 1]]], [ch('d'), [NONE, 'collect']], [ch('e'), [NONE, 'collect_into']], [ch('l'), [NONE, 'collect']],
  [ch('t'), [NONE, 'collect']], [ch('s'), [NONE, [3, 1]]], [ch('u'), [NONE, 'collect_into']], [ch('R'), [NONE, [2, 1]]],
  [ch('b'), [NONE, [2, 1]]], [ch('o'), [NONE, 'obj']], [ch('Q'), [NONE, [1, 1]]],
  [0x81, [NONE, [2, 1]]], [0x85, [NONE, [1, 1]]], [0x86, [NONE, [2, 1]]], [0x87, [NONE, [3, 1]]], [0x88, [NONE, PUSH]],
  [0x89, [NONE, PUSH]], [0x8f, [NONE, PUSH]], [0x90, [NONE, 'collect_into']], [0x91, [NONE, 'collect']], [0x92, [NONE, [3, 1]]],
  [0x93, [NONE, [2, 1]]], [0x94, [NONE, [1, 1]]], [0x97, [NONE, PUSH]], [0x98, [NONE, [1, 1]]],
  [ch('I'), [line(INT), PUSH]], [ch('L'), [line(LONG), PUSH]], [ch('F'), [line(FLOAT), PUSH]], [ch('S'), [line(QUOTED), PUSH]],
  [ch('V'), [line(null), PUSH]], [ch('P'), [line(null), PUSH]], [ch('g'), [line(DIGITS), PUSH]], [ch('p'), [line(DIGITS), [1, 1]]],
  [ch('c'), [{ kind: 'lines2' }, PUSH]], [ch('i'), [{ kind: 'lines2' }, 'collect']],
  [ch('J'), [fixed(4), PUSH]], [ch('K'), [fixed(1), PUSH]], [ch('M'), [fixed(2), PUSH]], [ch('G'), [fixed(8), PUSH]],
  [ch('h'), [fixed(1), PUSH]], [ch('j'), [fixed(4), PUSH]], [ch('q'), [fixed(1), [1, 1]]], [ch('r'), [fixed(4), [1, 1]]],
  [0x82, [fixed(1), PUSH]], [0x83, [fixed(2), PUSH]], [0x84, [fixed(4), PUSH]], [0x95, [fixed(8), KEEP]], [0x80, [{ kind: 'proto' }, KEEP]],
  [ch('T'), [counted(4, true), PUSH]], [ch('U'), [counted(1), PUSH]], [ch('X'), [counted(4), PUSH]], [0x8c, [counted(1), PUSH]],
  [0x8d, [counted(8), PUSH]], [ch('B'), [counted(4), PUSH]], [ch('C'), [counted(1), PUSH]], [0x8e, [counted(8), PUSH]],
  [0x96, [counted(8), PUSH]], [0x8a, [counted(1), PUSH]], [0x8b, [counted(4, true), PUSH]],
]);

const IMPORTS = new Set([ch('c'), ch('i'), 0x93, 0x82, 0x83, 0x84]);
const CALLS = new Set([ch('R'), ch('b'), ch('o'), ch('i'), 0x81, 0x92, ch('P'), ch('Q')]);
const STOP = ch('.');

/** Items since each MARK; the last entry is the current frame. Returns false on underflow. */
function applyEffect(frames: number[], effect: Effect): boolean {
  const top = frames.length - 1;
  const here = frames[top] ?? 0;
  if (Array.isArray(effect)) {
    const [pop, push] = effect as readonly [number, number];
    if (here < pop) return false;
    frames[top] = here - pop + push;
    return true;
  }
  if (effect === 'mark') { frames.push(0); return true; }
  if (effect === 'pop_any') {
    if (here > 0) frames[top] = here - 1;
    else if (top > 0) frames.pop();
    else return false;
    return true;
  }
  if (top === 0) return false; // every other shape needs a MARK
  if (effect === 'obj' && here < 1) return false;
  frames.pop();
  const below = frames[top - 1] ?? 0;
  if (effect === 'collect_into') return below >= 1;
  if (effect !== 'pop_mark') frames[top - 1] = below + 1;
  return true;
}

function ch(c: string): number {
  return c.charCodeAt(0);
}

/** Steps over opcodes from `start` until STOP, a bad opcode, the end of `bytes` or `maxOpcodes`. */
export function walkPickle(bytes: Uint8Array, start = 0, maxOpcodes = 1_000_000): PickleWalk {
  let pos = start;
  let opcodes = 0;
  let imports = 0;
  let calls = 0;
  const result = (end: PickleWalk['end'], offset: number): PickleWalk => ({ end, offset, opcodes, imports, calls });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames = [0];

  while (opcodes < maxOpcodes) {
    const at = pos;
    const op = bytes[pos];
    if (op === undefined) return result('truncated', at);
    const shape = OPCODES.get(op);
    if (shape === undefined) return result('invalid', at);
    pos += 1;
    const next = stepArgument(bytes, view, pos, shape[0]);
    if (next === 'invalid' || next === 'truncated') return result(next, at);
    if (!applyEffect(frames, shape[1])) return result('invalid', at);
    pos = next;
    opcodes += 1;
    if (IMPORTS.has(op)) imports += 1;
    if (CALLS.has(op)) calls += 1;
    if (op === STOP) return result('stop', at);
  }
  return result('budget', pos);
}

function stepArgument(bytes: Uint8Array, view: DataView, pos: number, arg: Arg): number | 'invalid' | 'truncated' {
  switch (arg.kind) {
    case 'none':
      return pos;
    case 'fixed':
      return pos + arg.size <= bytes.length ? pos + arg.size : 'truncated';
    case 'proto': {
      const version = bytes[pos];
      if (version === undefined) return 'truncated';
      return version <= 5 ? pos + 1 : 'invalid';
    }
    case 'line':
      return stepLine(bytes, pos, arg.check, arg.check === null || arg.check === QUOTED ? TEXT_LINE_MAX : IDENT_LINE_MAX);
    case 'lines2': {
      const first = stepLine(bytes, pos, IDENT, IDENT_LINE_MAX);
      return typeof first === 'number' ? stepLine(bytes, first, IDENT, IDENT_LINE_MAX) : first;
    }
    case 'counted': {
      if (pos + arg.lengthBytes > bytes.length) return 'truncated';
      let length: number;
      if (arg.lengthBytes === 1) length = view.getUint8(pos);
      else if (arg.lengthBytes === 4) length = arg.signed ? view.getInt32(pos, true) : view.getUint32(pos, true);
      else {
        const big = view.getBigUint64(pos, true);
        if (big > BigInt(bytes.length)) return 'truncated';
        length = Number(big);
      }
      if (length < 0) return 'invalid';
      const end = pos + arg.lengthBytes + length;
      return end <= bytes.length ? end : 'truncated';
    }
  }
}

/** A newline-terminated argument; its text must match `check` (latin-1 view of the bytes). */
function stepLine(bytes: Uint8Array, pos: number, check: RegExp | null, maxLength: number): number | 'invalid' | 'truncated' {
  const limit = Math.min(bytes.length, pos + maxLength + 1);
  let end = pos;
  while (end < limit && bytes[end] !== 0x0a) end += 1;
  if (end === limit) return limit === bytes.length ? 'truncated' : 'invalid';
  if (check !== null && !check.test(latin1(bytes, pos, end))) return 'invalid';
  return end + 1;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
