import { z } from 'zod';

/*
 * A chat completions request as the reference endpoint accepts it: OpenAI's "Create chat
 * completion" body (platform.openai.com/docs/api-reference/chat/create), checked strictly. Unknown
 * top-level arguments are refused, as OpenAI refuses them ("Unrecognized request argument").
 */

const TextPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const UserPart = z.union([
  TextPart,
  z.strictObject({ type: z.literal('image_url'), image_url: z.strictObject({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }) }),
  z.strictObject({ type: z.literal('input_audio'), input_audio: z.strictObject({ data: z.string(), format: z.string() }) }),
  z.strictObject({ type: z.literal('file'), file: z.record(z.string(), z.unknown()) }),
]);

const SystemMessage = z.strictObject({
  role: z.enum(['system', 'developer']),
  content: z.union([z.string(), z.array(TextPart).min(1)]),
  name: z.string().optional(),
});
const UserMessage = z.strictObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(UserPart).min(1)]),
  name: z.string().optional(),
});
const AssistantMessage = z.strictObject({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.union([TextPart, z.strictObject({ type: z.literal('refusal'), refusal: z.string() })])), z.null()]).optional(),
  refusal: z.string().nullable().optional(),
  name: z.string().optional(),
  tool_calls: z.array(z.unknown()).optional(),
  function_call: z.unknown().optional(),
  audio: z.unknown().optional(),
});
const ToolMessage = z.strictObject({ role: z.literal('tool'), content: z.union([z.string(), z.array(TextPart)]), tool_call_id: z.string() });
const FunctionMessage = z.strictObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() });

export const ChatMessage = z.discriminatedUnion('role', [SystemMessage, UserMessage, AssistantMessage, ToolMessage, FunctionMessage]);
export type ChatMessage = z.infer<typeof ChatMessage>;

const ResponseFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    json_schema: z.strictObject({ name: z.string(), description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }),
  }),
]);

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const ChatCompletionRequest = z.strictObject({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  temperature: nullable(z.number().min(0).max(2)),
  top_p: nullable(z.number().min(0).max(1)),
  n: nullable(z.number().int().min(1).max(128)),
  stream: nullable(z.boolean()),
  stream_options: nullable(z.record(z.string(), z.unknown())),
  stop: nullable(z.union([z.string(), z.array(z.string()).max(4)])),
  max_tokens: nullable(z.number().int().positive()),
  max_completion_tokens: nullable(z.number().int().positive()),
  presence_penalty: nullable(z.number().min(-2).max(2)),
  frequency_penalty: nullable(z.number().min(-2).max(2)),
  logit_bias: nullable(z.record(z.string(), z.number().min(-100).max(100))),
  logprobs: nullable(z.boolean()),
  top_logprobs: nullable(z.number().int().min(0).max(20)),
  user: z.string().optional(),
  safety_identifier: z.string().optional(),
  prompt_cache_key: z.string().optional(),
  seed: nullable(z.number().int()),
  response_format: ResponseFormat.optional(),
  tools: z.array(z.unknown()).optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().optional(),
  functions: z.array(z.unknown()).optional(),
  function_call: z.unknown().optional(),
  store: nullable(z.boolean()),
  metadata: nullable(z.record(z.string(), z.string())),
  service_tier: nullable(z.string()),
  reasoning_effort: nullable(z.string()),
  verbosity: nullable(z.string()),
  modalities: nullable(z.array(z.string())),
  prediction: z.unknown().optional(),
  audio: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** The text of a message's content: a string, or its text parts joined by line breaks. */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
}
