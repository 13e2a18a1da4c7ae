/** @keep/inference: verified model loading and the OpenAI-compatible chat API. */
export { inferenceConfigSchema, type InferenceConfig } from './config.js';
export { INFERENCE_CODES, type InferenceCode } from './inference-error.js';
export { ToolCallStream, type ParsedToolCall, type StreamPiece } from './tool-call-stream.js';
export { renderChatHistory, renderToolsPrompt } from './render-chat-history.js';
