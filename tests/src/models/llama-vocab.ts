/**
 * A small SentencePiece ("llama") vocabulary of the shape llama.cpp expects:
 * control tokens, ChatML markers, the 256 byte-fallback tokens `<0xNN>` (so any
 * text tokenizes), single letters and a few words with the U+2581 space mark
 * (each word's prefixes too, since SPM only merges through pieces in the vocab),
 * then caller-chosen whole-string tokens. The extra tokens are user-defined
 * (type 4): llama.cpp matches them verbatim in text and detokenizes them as is.
 */

/** llama.cpp token types (llama_token_type). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, byte: 6 } as const;

export interface LlamaVocab {
  readonly tokens: readonly string[];
  readonly scores: readonly number[];
  readonly types: readonly number[];
  readonly bos: number;
  readonly eos: number;
  readonly unknown: number;
  /** Id of a token by its text; throws for unknown text. */
  id(text: string): number;
}

const SPACE = '\u2581';
const WORDS = ['hello', 'the', 'answer', 'is', 'user', 'system', 'assistant', 'file', 'read', 'notes', 'ok'];

export function buildLlamaVocab(extraTokens: readonly string[] = []): LlamaVocab {
  const tokens: string[] = [];
  const types: number[] = [];
  const add = (text: string, type: number): void => {
    tokens.push(text);
    types.push(type);
  };
  add('<unk>', TOKEN_TYPE.unknown);
  add('<s>', TOKEN_TYPE.control);
  add('</s>', TOKEN_TYPE.control);
  add('<|im_start|>', TOKEN_TYPE.control);
  add('<|im_end|>', TOKEN_TYPE.control);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TOKEN_TYPE.byte);
  const pieces = new Set<string>([SPACE, ...'abcdefghijklmnopqrstuvwxyz']);
  for (const word of WORDS) for (let n = 2; n <= word.length + 1; n++) pieces.add((SPACE + word).slice(0, n));
  for (const piece of pieces) add(piece, TOKEN_TYPE.normal);
  const seen = new Set(tokens);
  for (const text of extraTokens) {
    if (text === '' || seen.has(text)) throw new TypeError(`Extra token ${JSON.stringify(text)} is empty or already in the vocabulary`);
    seen.add(text);
    add(text, TOKEN_TYPE.userDefined);
  }
  // SPM merges the highest score first; real vocabularies give later pieces lower scores.
  const scores = tokens.map((_, i) => (types[i] === TOKEN_TYPE.normal ? -i : 0));
  const ids = new Map(tokens.map((t, i) => [t, i]));
  return {
    tokens, scores, types, bos: 1, eos: 4, unknown: 0,
    id(text: string): number {
      const id = ids.get(text);
      if (id === undefined) throw new TypeError(`Token ${JSON.stringify(text)} is not in the vocabulary`);
      return id;
    },
  };
}
