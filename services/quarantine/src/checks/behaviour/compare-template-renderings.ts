import { createHash } from 'node:crypto';

/** What the static stage saw: its template's hash and its rendering of the fixed messages. */
export interface StaticRendering {
  templateSha256: string;
  /** The text `renderFixedMessages` produced; null when the template could not render them. */
  rendered: string | null;
  /** The same without the system turn. */
  renderedWithoutSystem: string | null;
}

/** What the engine saw: the template it read from the file and its rendering of the same messages. */
export interface EngineRendering {
  template: string | null;
  /** null when the engine could not render the messages. */
  rendered: string | null;
  /**
   * Whether that rendering has the system turn. node-llama-cpp refuses to let a template
   * place a system turn that its sanity test cannot find (Mistral v0.3 moves it into the
   * last user turn) and folds it into a user turn itself; then both sides compare without it.
   */
  systemTurn: boolean;
  /** The reasoning opener the engine's chat wrapper adds itself (`<think>`), if it has one. */
  thoughtPrefix: string | null;
}

export type TemplateComparison = { match: true } | { match: false; detail: string };

/**
 * Whether the engine will prompt the model with the template the static stage
 * checked (or, when it found none, without one). The template text must be byte-identical. The renderings of
 * the fixed messages (both with the system turn, or both without it when the engine will not let the
 * template place one) must be equal
 * after one documented normalisation of the end, where the two renderers
 * legitimately differ: node-llama-cpp builds the generation prompt by rendering an
 * empty assistant turn and cutting at its content, so (1) trailing whitespace is
 * ignored on both sides (Llama 2 renders `[/INST] ` where the template's generation
 * prompt ends `[/INST]`), and (2) a generation prompt that ends in the wrapper's own
 * reasoning opener (DeepSeek-R1's `<think>\n`) may be missing on the engine's side,
 * which opens that segment itself. Anything else, whitespace inside the text
 * included, is a mismatch. Pure.
 */
export function compareTemplateRenderings(seen: StaticRendering | null, engine: EngineRendering): TemplateComparison {
  if (seen === null) return engine.template === null ? { match: true } : { match: false, detail: 'The engine reads a chat template from the file, the static stage found none' };
  if (engine.template === null) return { match: false, detail: 'The engine reads no chat template from the file, the static stage read one' };
  const engineSha256 = createHash('sha256').update(engine.template, 'utf8').digest('hex');
  if (engineSha256 !== seen.templateSha256) {
    return { match: false, detail: `The engine reads a chat template with sha256 ${engineSha256.slice(0, 16)}…, the static stage checked ${seen.templateSha256.slice(0, 16)}…` };
  }
  const expected = engine.systemTurn ? seen.rendered : seen.renderedWithoutSystem;
  if (seen.rendered === null) return { match: true };
  if (engine.rendered === null || expected === null) return { match: false, detail: 'The engine cannot render the fixed messages with the template the static stage rendered them with' };
  const ours = expected.trimEnd();
  const theirs = engine.rendered.trimEnd();
  if (ours === theirs) return { match: true };
  if (engine.thoughtPrefix !== null && engine.thoughtPrefix !== '' && ours === `${theirs}${engine.thoughtPrefix}`.trimEnd()) return { match: true };
  return { match: false, detail: `The engine's rendering of the fixed messages differs from the static stage's at character ${firstDifference(ours, theirs)}` };
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
