/**
 * Pickles written opcode by opcode, so the corpus needs no Python: each one, if
 * loaded, would call `os.system` or `builtins.eval`. Commands are harmless (`id`),
 * the point is that the quarantine refuses them without ever loading them.
 */
import { ascii, concat } from './corpus-entry.js';

export type PicklePayload = 'os-system' | 'builtin-eval';

const COMMAND = { 'os-system': 'id', 'builtin-eval': "__import__('os').system('id')" } as const;
const GLOBAL = { 'os-system': ['os', 'system'], 'builtin-eval': ['__builtin__', 'eval'] } as const;

const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const u64 = (n: number): Uint8Array => concat([u32(n), u32(0)]);

/** Protocol 0 is text only: GLOBAL, MARK, UNICODE, TUPLE, REDUCE, STOP. */
function protocol0(payload: PicklePayload): Uint8Array {
  const [module, name] = GLOBAL[payload];
  return ascii(`c${module}\n${name}\n(V${COMMAND[payload]}\ntR.`);
}

/** Protocol 2: PROTO 2, GLOBAL, BINPUT, BINUNICODE, TUPLE1, REDUCE, STOP. */
function protocol2(payload: PicklePayload): Uint8Array {
  const [module, name] = GLOBAL[payload];
  const command = ascii(COMMAND[payload]);
  return concat([
    Uint8Array.of(0x80, 2), ascii(`c${module}\n${name}\nq\x00X`), u32(command.length), command,
    ascii('q\x01'), Uint8Array.of(0x85), ascii('q\x02Rq\x03.'),
  ]);
}

/** Protocols 4 and 5: PROTO, FRAME, then SHORT_BINUNICODE + STACK_GLOBAL with MEMOIZE, as modern pickles are written. */
function framed(protocol: 4 | 5, payload: PicklePayload): Uint8Array {
  const [module, name] = payload === 'builtin-eval' ? ['builtins', 'eval'] : GLOBAL[payload];
  const short = (text: string): Uint8Array => concat([Uint8Array.of(0x8c, text.length), ascii(text), Uint8Array.of(0x94)]);
  const body = concat([short(module), short(name), Uint8Array.of(0x93, 0x94), short(COMMAND[payload]), Uint8Array.of(0x85, 0x94, 0x52, 0x94, 0x2e)]);
  return concat([Uint8Array.of(0x80, protocol, 0x95), u64(body.length), body]);
}

export function pickle(protocol: 0 | 2 | 4 | 5, payload: PicklePayload): Uint8Array {
  if (protocol === 0) return protocol0(payload);
  if (protocol === 2) return protocol2(payload);
  return framed(protocol, payload);
}
