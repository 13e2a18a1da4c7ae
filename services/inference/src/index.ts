/** @keep/inference: verified model loading and the OpenAI-compatible chat API. */
export {};
