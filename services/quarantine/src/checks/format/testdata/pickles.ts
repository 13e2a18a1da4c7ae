/**
 * Pickles as CPython 3 writes them (`pickle.dumps(obj, protocol)`), copied byte for
 * byte, so tests need no Python. `RCE_*` would run `os.system('echo hi')` if loaded.
 */
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** {'a': 1} in protocols 0, 1, 2, 4. */
export const DICT_P0 = latin1('(dp0\nVa\np1\nI1\ns.');
export const DICT_P1 = latin1('}q\x00X\x01\x00\x00\x00aq\x01K\x01s.');
export const DICT_P2 = latin1('\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.');
export const DICT_P4 = latin1('\x80\x04\x95\n\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.');
/** [1, 2] in protocol 1. */
export const LIST_P1 = latin1(']q\x00(K\x01K\x02e.');
export const RCE_P0 = latin1('cposix\nsystem\np0\n(Vecho hi\np1\ntp2\nRp3\n.');
export const RCE_P4 = latin1('\x80\x04\x95"\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x07echo hi\x94\x85\x94R\x94.');
/** The nullifAI shape: the call comes first, then the stream breaks. */
export const RCE_THEN_BROKEN = latin1('cposix\nsystem\n(Vecho hi\ntR\xff\xff\xff garbage');
