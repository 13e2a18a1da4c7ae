import { z } from 'zod';

/**
 * The body of `POST /v1/chat/completions`: the subset of OpenAI's shape this
 * service honours, strict, so a field it would silently ignore is an error instead.
 * Lengths are bounded here; token limits are checked once the prompt is rendered.
 */
const text = z.string().max(1_000_000);
const textPart = z.strictObject({ type: z.literal('text'), text });
/** OpenAI allows a string or an array of text parts; images and audio are not offered. */
const content = z.union([text, z.array(textPart).max(256)]);

const toolCall = z.strictObject({
  id: z.string().min(1).max(128),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string().min(1).max(128), arguments: z.string().max(100_000) }),
});

const message = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('system'), content, name: z.string().max(64).optional() }),
  z.strictObject({ role: z.literal('user'), content, name: z.string().max(64).optional() }),
  z.strictObject({
    role: z.literal('assistant'),
    content: content.nullable().optional(),
    name: z.string().max(64).optional(),
    tool_calls: z.array(toolCall).max(64).optional(),
    // Echoed back by clients that resend the message object they received.
    refusal: z.string().max(100_000).nullable().optional(),
  }),
  z.strictObject({ role: z.literal('tool'), content, tool_call_id: z.string().min(1).max(128) }),
]);

const functionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');

const tool = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: functionName,
    description: z.string().max(4096).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: functionName }) }),
]);

export const chatCompletionRequestSchema = z.strictObject({
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1).max(1024),
  stream: z.boolean().default(false),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable().optional(),
  stop: z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).max(4)]).nullable().optional(),
  n: z.number().int().min(1).max(1).nullable().optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  user: z.string().max(256).optional(),
});

export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;
export type ChatMessage = ChatCompletionRequest['messages'][number];
export type ToolDefinition = NonNullable<ChatCompletionRequest['tools']>[number];
export type ToolChoice = NonNullable<ChatCompletionRequest['tool_choice']>;

/** A message's text: a string, or its text parts joined. */
export function contentText(value: string | readonly { text: string }[] | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : value.map((part) => part.text).join('');
}
