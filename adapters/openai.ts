import type { TargetOf } from '../simulator/targets/index.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction, type Usage } from './adapter.ts';
import { abortFailure, shortZodMessage, validatePrediction } from './failures.ts';
import { appendPath, exchangeJson, splitCredentials, withStatus, type ExchangeReply } from './http-exchange.ts';
import { ChatCompletion, openAiErrorMessage, type ChatCompletionRequest } from './openai-wire.ts';
import { renderTemplate, TASK_PROMPTS, type AnswerReading, type TaskPrompt } from './prompts/index.ts';
import { secretScrubber, secretsOf } from './scrub.ts';

type OpenAiTarget = TargetOf<'openai'>;
/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type OpenAiOptions = Pick<OpenAiTarget, 'url' | 'model'> &
  Partial<Pick<OpenAiTarget, 'prompt' | 'answer' | 'temperature' | 'maxTokens' | 'jsonMode' | 'cost'>> & {
    /** Extra headers: the key, `Authorization: Bearer …` (adapters/auth.ts). */
    readonly headers?: Readonly<Record<string, string>>;
  };

/** Finish reasons that mean the content is not a whole answer. */
const CUT_OFF: Readonly<Record<string, string>> = {
  length: 'the reply was cut off at the token limit (finish_reason "length")',
  content_filter: 'the reply was withheld by a content filter (finish_reason "content_filter")',
  tool_calls: 'the model called a tool instead of answering (finish_reason "tool_calls")',
  function_call: 'the model called a function instead of answering (finish_reason "function_call")',
};

/** How much of a reply an error message quotes. */
const QUOTE_CHARS = 80;

/**
 * OpenAI-compatible chat completions adapter: `POST {url}/chat/completions` with the task's prompt
 * (adapters/prompts, or the target's own) as a system and a user message, `temperature` (default
 * 0), `max_tokens` and `response_format: json_object` when the target asks for them.
 *
 * The reply must be a chat.completion (openai-wire.ts) whose first choice finished normally and
 * whose `message.content` is the task's JSON answer (a bare JSON object, or one in a single
 * ``` fence) or, with `answer.pattern`, matches the pattern. The Prediction is the task's field
 * (note-triage `label`, sepsis `score`, med-safety `label`), `text` = the whole content, and
 * `usage` = the reply's token counts, with `costUsd` when the target gives prices.
 *
 * Failure mapping, as for every HTTP adapter (http-exchange.ts), plus:
 *
 * | what happens                                                        | FailureType        |
 * | ------------------------------------------------------------------- | ------------------ |
 * | not a chat.completion (no choices, wrong types, …)                   | `invalid-response` |
 * | finish_reason `length`, `content_filter`, `tool_calls`; a refusal    | `invalid-response` |
 * | content not the task's JSON answer / not matching the pattern       | `invalid-response` |
 *
 * An error reply's OpenAI error object is kept in the `http-status` message (`model_not_found: …`).
 * Every message names what was wrong, quoting at most 80 characters of the content; credentials
 * (the headers' values) are never part of one, even when a server echoes them.
 */
export function openAiAdapter(options: OpenAiOptions): Adapter {
  const { endpoint, authorization, display } = splitCredentials(appendPath(options.url, 'chat/completions'));
  const { endpoint: modelsUrl, display: modelsDisplay } = splitCredentials(appendPath(options.url, 'models'));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(authorization ? { authorization } : {}),
    ...options.headers,
  };
  const scrub = secretScrubber({ ...(authorization ? { authorization } : {}), ...options.headers }, secretsOf({}, options.url));
  const what = `POST ${display}`;
  const pattern = options.answer ? new RegExp(options.answer.pattern, options.answer.flags) : undefined;

  return {
    kind: 'openai',
    async health(): Promise<void> {
      try {
        await exchangeJson({ url: modelsUrl, method: 'GET', headers, signal: AbortSignal.timeout(10_000), what: `GET ${modelsDisplay}` }, { errorMessage: openAiErrorMessage });
      } catch (error) {
        throw scrub.error(error);
      }
    },
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      if (signal.aborted) throw abortFailure(signal, what);
      const body = JSON.stringify(chatRequestFor(options, input));
      let reply: ExchangeReply;
      try {
        reply = await exchangeJson({ url: endpoint, method: 'POST', headers, body, signal, what }, { errorMessage: openAiErrorMessage });
      } catch (error) {
        // An error body's message is the server's text: it may quote what it was sent.
        throw scrub.error(error);
      }
      const { json, status } = reply;
      let prediction: Prediction;
      try {
        prediction = readReply(json, TASK_PROMPTS[input.task], pattern, options.cost, scrub.text);
      } catch (error) {
        throw withStatus(scrub.error(error), status);
      }
      recordStatus(prediction, status);
      return prediction;
    },
  };
}

/** The request body the adapter sends for a case. */
export function chatRequestFor(options: OpenAiOptions, input: ModelInput): ChatCompletionRequest {
  const task = TASK_PROMPTS[input.task];
  const { system, user } = templatesOf(task, options.prompt);
  return {
    model: options.model,
    messages: [
      { role: 'system', content: renderTemplate(system, input.bundle, task.answerFormat) },
      { role: 'user', content: renderTemplate(user, input.bundle, task.answerFormat) },
    ],
    temperature: options.temperature ?? 0,
    ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
    ...(options.jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
  };
}

function templatesOf(task: TaskPrompt, prompt: OpenAiOptions['prompt']): { system: string; user: string } {
  if (prompt === undefined) return { system: task.system, user: task.user };
  if (typeof prompt === 'string') return { system: task.system, user: prompt };
  return { system: prompt.system ?? task.system, user: prompt.user ?? task.user };
}

/** A validated chat.completion → the task's Prediction; throws `invalid-response` naming the problem. */
export function readReply(
  json: unknown,
  task: TaskPrompt,
  pattern: RegExp | undefined,
  cost: OpenAiOptions['cost'],
  scrub: (text: string) => string = (text) => text,
): Prediction {
  const parsed = ChatCompletion.safeParse(json);
  if (!parsed.success) {
    throw new AdapterError('invalid-response', `not a chat.completion: ${shortZodMessage(parsed.error)}`, { cause: parsed.error });
  }
  const choice = parsed.data.choices.find((c) => c.index === 0) ?? parsed.data.choices[0]!;
  const cutOff = choice.finish_reason === null ? undefined : CUT_OFF[choice.finish_reason];
  if (cutOff !== undefined) throw new AdapterError('invalid-response', cutOff);
  const { content, refusal } = choice.message;
  if (typeof refusal === 'string' && refusal !== '') throw new AdapterError('invalid-response', `the model refused: ${quote(refusal, scrub)}`);
  if (content === null || content.trim() === '') throw new AdapterError('invalid-response', 'choices[0].message.content is empty');

  const reading = pattern ? byPattern(content, pattern, task, scrub) : byJson(content, task, scrub);
  if ('problem' in reading) throw new AdapterError('invalid-response', reading.problem);
  const usage = usageOf(parsed.data.usage ?? undefined, cost);
  return validatePrediction({ ...reading.prediction, text: scrub(content), ...(usage ? { usage } : {}) });
}

function byJson(content: string, task: TaskPrompt, scrub: (text: string) => string): AnswerReading {
  // Models often fence JSON in Markdown; one fence around the whole content is accepted, nothing else.
  const fenced = /^\s*```(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*```\s*$/i.exec(content);
  const text = (fenced ? fenced[1]! : content).trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `choices[0].message.content is not the JSON answer the task asks for: ${quote(content, scrub)}` };
  }
  return task.fromJson(value);
}

function byPattern(content: string, pattern: RegExp, task: TaskPrompt, scrub: (text: string) => string): AnswerReading {
  const match = pattern.exec(content);
  if (!match) return { problem: `choices[0].message.content does not match the answer pattern /${pattern.source}/: ${quote(content, scrub)}` };
  const capture = match[1];
  if (capture === undefined) return { problem: `the answer pattern /${pattern.source}/ matched, but its capture group did not` };
  return task.fromCapture(capture);
}

function usageOf(usage: ChatCompletion['usage'] | undefined, cost: OpenAiOptions['cost']): Usage | undefined {
  if (!usage) return undefined;
  const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = usage;
  if (!cost) return { promptTokens, completionTokens };
  const costUsd = (promptTokens * cost.inputPerMillion + completionTokens * cost.outputPerMillion) / 1_000_000;
  return { promptTokens, completionTokens, costUsd };
}

/** At most QUOTE_CHARS of `text`, scrubbed first: a key cut at the limit would no longer match in full. */
function quote(text: string, scrub: (text: string) => string): string {
  const flat = scrub(text).replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length <= QUOTE_CHARS ? flat : `${flat.slice(0, QUOTE_CHARS - 1)}…`);
}
