export { BEHAVIOUR_REASONS } from './reasons.js';
export { CANARY_KINDS, CANARY_PROMPTS, CANARY_SECRET, CANARY_SYSTEM_PROMPT, EXFILTRATION_HOST, OVERRIDE_MARKER, type CanaryKind } from './canary-prompts.js';
export { classifyCanaryReply, type CanaryContext, type CanaryVerdict } from './classify-canary-reply.js';
export { compareTemplateRenderings, type EngineRendering, type StaticRendering, type TemplateComparison } from './compare-template-renderings.js';
