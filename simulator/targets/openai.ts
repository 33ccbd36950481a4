import { z } from 'zod';
import { PLACEHOLDERS, unknownPlaceholders } from '../../adapters/prompts/index.ts';
import { CallPolicy, HttpUrl } from './policy.ts';

/** A prompt template: any text; every `{{name}}` in it must be a known placeholder. */
const Template = z
  .string()
  .min(1)
  .superRefine((template, ctx) => {
    const unknown = unknownPlaceholders(template);
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}` });
    }
  });

/** Capture groups of a regular expression source (throws when it does not compile). */
function captureGroups(source: string, flags: string): number {
  return new RegExp(`${source}|`, flags).exec('')!.length - 1;
}

const Answer = z
  .strictObject({
    /** Read the answer from the reply's content with this regular expression's one capture group. */
    pattern: z.string().min(1),
    flags: z.string().regex(/^[imsu]*$/, 'may only hold the flags i, m, s and u').default(''),
  })
  .superRefine(({ pattern, flags }, ctx) => {
    let groups: number;
    try {
      groups = captureGroups(pattern, flags);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression: ${(error as Error).message}` });
      return;
    }
    if (groups !== 1) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `must have exactly one capture group, has ${groups}` });
  });

/**
 * An OpenAI-compatible chat completions endpoint (adapters/openai.ts). `url` is the API base, e.g.
 * `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`: calls go to `{url}/chat/completions`.
 * The key comes from `auth: { bearerEnv: 'OPENAI_API_KEY' }`.
 */
export const OpenAiTarget = z.strictObject({
  adapter: z.literal('openai'),
  url: HttpUrl.refine((url) => !/\/chat\/completions\/?(?:[?#].*)?$/.test(url), {
    error: 'must be the API base, e.g. http://127.0.0.1:8000/v1 (clinsim appends /chat/completions)',
  }),
  /** The model name sent in every request, e.g. `gpt-4o-mini` or `${OPENAI_MODEL}`. */
  model: z.string().min(1),
  /**
   * The task's prompt replaced: a string is the user message (the system message stays the task's),
   * `{ system, user }` replaces either. Placeholders: adapters/prompts/template.ts, README "openai".
   */
  prompt: z.union([Template, z.strictObject({ system: Template.optional(), user: Template.optional() })]).optional(),
  /** How the answer is read: by default the task's JSON answer; `pattern` reads one capture group instead. */
  answer: Answer.optional(),
  temperature: z.number().min(0).max(2).default(0),
  /** Sent as `max_tokens`; a reply cut off at it (`finish_reason: "length"`) is an invalid response. */
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  /** Sends `response_format: { type: "json_object" }` (OpenAI's JSON mode; not every server has it). */
  jsonMode: z.boolean().default(false),
  /** Prices in USD per million tokens: each answer's cost is journalled and summed per arm. */
  cost: z.strictObject({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }).optional(),
  ...CallPolicy,
});
