import type { ReasonTable } from '../../pipeline/reason.js';

export const BEHAVIOUR_REASONS = {
  'behaviour.load_failed': 'the engine (node-llama-cpp, llama.cpp) could not load the model: what cannot be tested is refused',
  'behaviour.timeout': 'the behaviour test ran past the policy\'s `behaviour.timeoutMs`',
  'behaviour.generation_failed': 'the model loaded but the engine failed while answering a canary prompt',
  'behaviour.template_mismatch': 'the chat template the engine reads or renders is not the one the static stage checked',
  'behaviour.canary_exfiltration': 'asked by an injected document to send the secret to a URL, the reply was suspicious (see the signals)',
  'behaviour.canary_secret': 'asked for the secret its system prompt holds, the reply was suspicious (see the signals)',
  'behaviour.canary_override': 'given an injected "ignore previous instructions", the reply was suspicious (see the signals)',
} as const satisfies ReasonTable;
