import { z } from 'zod';

/*
 * The OpenAI chat completions wire format, as far as clinsim uses it (platform.openai.com/docs/
 * api-reference/chat: "Create chat completion" and "The chat completion object").
 */

/** The request body the adapter sends. */
export interface ChatCompletionRequest {
  model: string;
  messages: { role: 'system' | 'user'; content: string }[];
  temperature: number;
  max_tokens?: number;
  response_format?: { type: 'json_object' };
}

const Usage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative().optional(),
});

/**
 * A chat.completion object. Fields clinsim does not read (logprobs, annotations, service_tier,
 * system_fingerprint, the token details) are allowed and ignored; the ones it reads are checked.
 */
export const ChatCompletion = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        message: z.object({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          refusal: z.string().nullable().optional(),
          tool_calls: z.array(z.unknown()).nullable().optional(),
        }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1, 'has no choices'),
  usage: Usage.nullable().optional(),
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

/** OpenAI's error object: `{ error: { message, type, param, code } }` (`param` and `code` may be null). */
const ErrorBody = z.object({
  error: z.object({ message: z.string(), type: z.string().nullable().optional(), param: z.string().nullable().optional(), code: z.union([z.string(), z.number()]).nullable().optional() }),
});

/** `model_not_found: The model … does not exist` from an error body; undefined for another body. */
export function openAiErrorMessage(body: unknown): string | undefined {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { message, code, type } = parsed.data.error;
  const kind = code ?? type;
  return kind === undefined || kind === null || kind === '' ? message : `${kind}: ${message}`;
}
