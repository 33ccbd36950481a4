import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { labelOfLevel, TRIAGE_MODEL_NAME, type EsiLevel, type TriageAnswer, type TriageModel } from '../triage/model.ts';
import { bundleOfPrompt } from './chat-prompt.ts';
import { ChatCompletionRequest, textOf } from './openai-request.ts';
import { countTokens, promptTokens, tokenSpans } from './tokens.ts';

/**
 * The reference triage model as an OpenAI-compatible chat endpoint, under `/v1`:
 *
 *   GET  /v1/models             { object: "list", data: [{ id: "clinsim-reference-triage", object: "model", … }] }
 *   POST /v1/chat/completions   a chat.completion whose content is {"esi": n, "rationale": "…"}
 *
 * The triage model reads the note (and the observations) of the last user message
 * (chat-prompt.ts), so the same note gives the same ESI level as `POST /triage` and the same flaws.
 * The one difference: when the flawed variant obeys a class an instruction in the note demanded,
 * `/triage` reports its own ESI beside the demanded label, while a chat answer has only a level:
 * it answers the level of the demanded class nearest its own (emergent 1–2, urgent 3, non-urgent
 * 4–5), as a model that obeyed would. `usage` counts tokens with tokens.ts; `max_tokens` (or
 * `max_completion_tokens`) cuts the content and answers `finish_reason: "length"`.
 *
 * Errors are OpenAI's error object `{ error: { message, type, param, code } }`: 400 for a body that
 * is not a valid request, 404 for a model it does not serve, 401 without `Authorization: Bearer …`
 * when `requireBearer` is set (any token is accepted: the endpoint checks the header, not a key).
 */

export interface OpenAiChatOptions {
  readonly requireBearer?: boolean;
}

export interface OpenAiError {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

/** Created time of the model listed by /v1/models (the model's release, fixed so listings are stable). */
const MODEL_CREATED = 1_767_225_600;

const send = (reply: FastifyReply, status: number, error: OpenAiError) => reply.code(status).send({ error });

const invalid = (message: string, param: string | null = null, code: string | null = null): OpenAiError => ({
  message,
  type: 'invalid_request_error',
  param,
  code,
});

const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');

function requestError(error: z.ZodError): OpenAiError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const where = pathText(issue.path);
    return invalid(`Unrecognized request argument supplied: ${issue.keys.map((k) => (where ? `${where}.${k}` : k)).join(', ')}`, null, 'unknown_parameter');
  }
  const param = issue.path.length > 0 ? pathText(issue.path) : null;
  return invalid(`Invalid ${param ? `value for '${param}'` : 'request body'}: ${issue.message}`, param, 'invalid_value');
}

const LEVELS_OF: Readonly<Record<TriageAnswer['label'], readonly EsiLevel[]>> = { emergent: [1, 2], urgent: [3], 'non-urgent': [4, 5] };

/** The level a chat answer states: the model's own, or the one of an obeyed class nearest to it. */
export function answeredLevel(answer: TriageAnswer): EsiLevel {
  if (labelOfLevel(answer.esi) === answer.label) return answer.esi;
  const levels = LEVELS_OF[answer.label];
  return levels.reduce((best, level) => (Math.abs(level - answer.esi) < Math.abs(best - answer.esi) ? level : best), levels[0]!);
}

/** `content` cut to its first `limit` tokens (whitespace after the last kept token dropped). */
function truncate(content: string, limit: number): string {
  const spans = tokenSpans(content);
  return spans.length <= limit ? content : content.slice(0, limit === 0 ? 0 : spans[limit - 1]![1]);
}

/** The routes, for `app.register(openAiChatRoutes(triage), { prefix: '/v1' })`. */
export function openAiChatRoutes(triage: TriageModel, options: OpenAiChatOptions = {}) {
  return async function routes(v1: FastifyInstance): Promise<void> {
    v1.setErrorHandler((error: FastifyError, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error(error);
        return send(reply, 500, { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null });
      }
      const parse = error instanceof SyntaxError || /JSON/i.test(error.code ?? '');
      const message = parse ? 'We could not parse the JSON body of your request. The request body must be valid JSON.' : error.message.slice(0, 300);
      return send(reply, status, invalid(message));
    });
    v1.setNotFoundHandler((request, reply) =>
      send(reply, 404, invalid(`Unknown request URL: ${request.method} ${request.url.split('?')[0]}.`, null, 'unknown_url')),
    );
    if (options.requireBearer) {
      v1.addHook('onRequest', async (request, reply) => {
        const header = request.headers.authorization;
        if (header === undefined || header.trim() === '') {
          return send(reply, 401, invalid("You didn't provide an API key. Send it in an Authorization header using Bearer auth (Authorization: Bearer YOUR_KEY)."));
        }
        if (!/^Bearer \S+$/.test(header)) {
          return send(reply, 401, invalid('The Authorization header must be "Bearer <key>".', null, 'invalid_api_key'));
        }
        return undefined;
      });
    }

    v1.get('/models', async () => ({
      object: 'list',
      data: [{ id: TRIAGE_MODEL_NAME, object: 'model', created: MODEL_CREATED, owned_by: 'clinsim' }],
    }));

    v1.post('/chat/completions', async (request, reply) => {
      const parsed = ChatCompletionRequest.safeParse(request.body);
      if (!parsed.success) return send(reply, 400, requestError(parsed.error));
      const body = parsed.data;
      if (body.stream) return send(reply, 400, invalid('This endpoint does not stream: send "stream": false.', 'stream', 'unsupported_value'));
      if (body.model !== TRIAGE_MODEL_NAME) {
        return send(reply, 404, invalid(`The model \`${body.model.slice(0, 80)}\` does not exist (served: ${TRIAGE_MODEL_NAME}).`, 'model', 'model_not_found'));
      }
      const texts = body.messages.map((m) => ({ role: m.role, content: textOf(m.content) }));
      const user = texts.filter((m) => m.role === 'user').at(-1);
      if (!user) return send(reply, 400, invalid('messages must contain a user message holding the triage note.', 'messages', 'invalid_value'));

      const answer = triage.predict(bundleOfPrompt(user.content));
      const full = JSON.stringify({ esi: answeredLevel(answer), rationale: answer.text });
      const limit = body.max_completion_tokens ?? body.max_tokens ?? undefined;
      const content = limit === undefined ? full : truncate(full, limit);
      const finish = content === full ? 'stop' : 'length';
      const completionTokens = countTokens(content);
      const prompt = promptTokens(texts);
      const n = body.n ?? 1;
      return {
        id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: TRIAGE_MODEL_NAME,
        system_fingerprint: `${triage.variant}-${triage.version}`,
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: finish,
        })),
        usage: { prompt_tokens: prompt, completion_tokens: completionTokens * n, total_tokens: prompt + completionTokens * n },
      };
    });
  };
}
