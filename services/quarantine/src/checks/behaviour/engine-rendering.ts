import { JinjaTemplateChatWrapper, LlamaText, SpecialToken, type ChatHistoryItem, type Tokenizer } from 'node-llama-cpp';
import { FIXED_BOS_TOKEN, FIXED_EOS_TOKEN, FIXED_MESSAGES } from '../chat-template/render-fixed-messages.js';
import type { EngineRendering } from './compare-template-renderings.js';

/**
 * The engine's side of the template check: node-llama-cpp's Jinja chat wrapper built
 * from the template node-llama-cpp itself read from the file, rendering FIXED_MESSAGES
 * the way the static renderer does (with the system turn; without it when the
 * template refuses one). The BOS and
 * EOS special tokens are written as the placeholders the static renderer gives
 * `bos_token` and `eos_token`. The wrapper comes back for the canary prompts, so
 * they run through the template that was checked.
 */
export function renderWithEngine(template: string | null, tokenizer?: Tokenizer): { wrapper: JinjaTemplateChatWrapper | null; rendering: EngineRendering } {
  if (template === null) return { wrapper: null, rendering: { template: null, rendered: null, systemTurn: false, thoughtPrefix: null } };
  // The template's own handling of the system turn first (as the static renderer does); node-llama-cpp's
  // folding of it into a user turn only for templates that refuse one, whose static rendering drops it.
  for (const convert of [false, 'auto'] as const) {
    let wrapper: JinjaTemplateChatWrapper;
    try {
      wrapper = new JinjaTemplateChatWrapper({ template, convertUnsupportedSystemMessagesToUserMessages: convert, ...(tokenizer ? { tokenizer } : {}) });
    } catch {
      continue; // the wrapper's sanity test renders a system turn: such templates refuse one
    }
    const thought = wrapper.settings.segments?.thought?.prefix;
    const thoughtPrefix = LlamaText.isLlamaText(thought) ? textOf(thought) : null;
    for (const withSystem of convert === false ? [true, false] : [false]) {
      try {
        const state = wrapper.generateContextState({ chatHistory: fixedHistory(withSystem) });
        return { wrapper, rendering: { template, rendered: textOf(state.contextText), systemTurn: withSystem, thoughtPrefix } };
      } catch {
        // the template refused these messages: try the next set, as the static renderer does
      }
    }
    return { wrapper, rendering: { template, rendered: null, systemTurn: false, thoughtPrefix } };
  }
  return { wrapper: null, rendering: { template, rendered: null, systemTurn: false, thoughtPrefix: null } };
}

function fixedHistory(withSystem: boolean): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const { role, content } of FIXED_MESSAGES) {
    if (role === 'system' && withSystem) history.push({ type: 'system', text: content });
    else if (role === 'user') history.push({ type: 'user', text: content });
    else if (role === 'assistant') history.push({ type: 'model', response: [content] });
  }
  history.push({ type: 'model', response: [] });
  return history;
}

/** Plain text with special tokens spelled out; special tokens other than BOS/EOS as `<|NAME|>`, which no template renders. */
function textOf(text: LlamaText): string {
  return text.values.map((value) => {
    if (typeof value === 'string') return value;
    if (value instanceof SpecialToken) return value.value === 'BOS' ? FIXED_BOS_TOKEN : value.value === 'EOS' ? FIXED_EOS_TOKEN : `<|${value.value}|>`;
    return value.value;
  }).join('');
}
