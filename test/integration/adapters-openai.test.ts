import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { statusOf, type ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { chatRequestFor } from '../../adapters/openai.ts';
import { ChatCompletion } from '../../adapters/openai-wire.ts';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { ChatCompletionRequest } from '../../models/protocols/openai-request.ts';
import { TRIAGE_MODEL_NAME } from '../../models/triage/model.ts';
import { parseTargetFlag } from '../../simulator/cli/target-flag.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { Target } from '../../simulator/scenario.ts';
import { OpenAiTarget } from '../../simulator/targets/openai.ts';
import type { z } from 'zod';
import { closedPortBase, ctx, failure } from './adapter-fixtures.ts';

/**
 * The openai adapter: against the reference chat endpoint over loopback, the documented wire
 * fixtures (test/fixtures/wire/openai), and a local server with one route per failure to map.
 */

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/wire/openai/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const DOC_COMPLETION = fixture('chat-completion.json');
const KEY = 'sk-test-7f3a9c2e1b5d4f60a8e2c3b1';

let models: ReferenceModels;
let guarded: ReferenceModels;
let server: FastifyInstance;
let base: string;
let closedBase: string;
const seen: { headers: Record<string, unknown>; body: unknown; url: string }[] = [];

const cases = Array.from({ length: 40 }, (_, i) => tasks['note-triage'].generate({ seed: 77 }, i));
const input = (i = 0): ModelInput => ({ task: 'note-triage', caseIndex: i, bundle: cases[i]!.bundle });

function target(url: string, extra: Partial<z.input<typeof OpenAiTarget>> = {}): z.output<typeof OpenAiTarget> {
  return OpenAiTarget.parse({ adapter: 'openai', url, model: TRIAGE_MODEL_NAME, timeoutMs: 5000, retries: 0, ...extra });
}

/** The documented completion with another content / finish reason. */
function completion(content: string | null, finish = 'stop', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const doc = structuredClone(DOC_COMPLETION) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
  doc.choices[0]!.message.content = content;
  doc.choices[0]!.finish_reason = finish;
  return { ...doc, ...extra };
}

beforeAll(async () => {
  [models, guarded] = await Promise.all([startReferenceModels(), startReferenceModels({ requireBearer: true })]);
  server = Fastify({ forceCloseConnections: true });
  const reply = (path: string, status: number, body: unknown) =>
    server.post(`${path}/chat/completions`, async (_req, res) => res.code(status).send(body));
  server.post('/capture/chat/completions', async (req) => {
    seen.push({ headers: { ...req.headers }, body: req.body, url: req.url });
    return completion('{"esi": 3, "rationale": "two resources"}');
  });
  reply('/doc', 200, DOC_COMPLETION);
  reply('/doc-json', 200, completion('{"esi": 2, "rationale": "chest pain"}'));
  reply('/fenced', 200, completion('```json\n{"esi": 4, "rationale": "one resource"}\n```'));
  reply('/prose-around', 200, completion('Sure! Here is the answer: {"esi": 4}'));
  reply('/esi-7', 200, completion('{"esi": 7, "rationale": "??"}'));
  reply('/length', 200, completion('{"esi": 2, "rat', 'length'));
  reply('/filtered', 200, completion(null, 'content_filter'));
  reply('/refusal', 200, (() => {
    const doc = completion(null) as { choices: { message: Record<string, unknown> }[] };
    doc.choices[0]!.message.refusal = "I'm sorry, I can't help with that.";
    return doc;
  })());
  reply('/no-choices', 200, { ...completion('x'), choices: [] });
  reply('/not-completion', 200, { ...completion('{"esi": 2}'), object: 'text_completion' });
  reply('/no-usage', 200, (() => {
    const { usage: _, ...rest } = completion('{"esi": 5}');
    return rest;
  })());
  reply('/error-401', 401, fixture('error-invalid-api-key.json'));
  reply('/error-400', 400, fixture('error-context-length.json'));
  reply('/error-500', 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
  server.post('/error-429/chat/completions', async (_req, res) =>
    res.code(429).header('retry-after', '3').send({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
  );
  server.post('/malformed/chat/completions', async (_req, res) => res.type('application/json').send('{"id": "chatcmpl-1", "choices": ['));
  server.post('/echo-key/chat/completions', async (req) => completion(`I see your key: ${String(req.headers.authorization)}`));
  server.post('/echo-key-error/chat/completions', async (req, res) =>
    res.code(401).send({ error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
  );
  server.post('/slow/chat/completions', async () => {
    await new Promise((r) => setTimeout(r, 600));
    return completion('{"esi": 3}');
  });
  server.post('/hang/chat/completions', () => {
    /* never answers */
  });
  server.post('/reset/chat/completions', async (req) => {
    req.raw.socket.destroy();
    await new Promise(() => {});
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  closedBase = await closedPortBase();
});

afterAll(async () => {
  await Promise.all([models?.close(), guarded?.close(), server?.close()]);
});

describe('openai adapter against the reference chat endpoint', () => {
  it('answers the same class as /triage for every case, with token usage and the HTTP status', async () => {
    const adapter = createAdapter(target(models.openaiUrl));
    expect(adapter.kind).toBe('openai');
    for (let i = 0; i < cases.length; i++) {
      const prediction = await adapter.invoke(input(i), ctx());
      const direct = (await (
        await fetch(models.triageUrl, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(cases[i]!.bundle) })
      ).json()) as { label: string };
      expect(prediction.label).toBe(direct.label);
      expect(prediction.usage!.promptTokens).toBeGreaterThan(50);
      expect(prediction.usage!.completionTokens).toBeGreaterThan(3);
      expect(prediction.usage!.costUsd).toBeUndefined();
      expect(statusOf(prediction)).toBe(200);
    }
  });

  it('computes the cost from the target prices', async () => {
    const prediction = await createAdapter(target(models.openaiUrl, { cost: { inputPerMillion: 2.5, outputPerMillion: 10 } })).invoke(input(1), ctx());
    const { promptTokens, completionTokens, costUsd } = prediction.usage!;
    expect(costUsd).toBeCloseTo((promptTokens * 2.5 + completionTokens * 10) / 1e6, 15);
  });

  it('reads the answer with a pattern instead of the JSON', async () => {
    const json = await createAdapter(target(models.openaiUrl)).invoke(input(2), ctx());
    const byPattern = await createAdapter(target(models.openaiUrl, { answer: { pattern: '"esi":\\s*([1-5])' } })).invoke(input(2), ctx());
    expect(byPattern.label).toBe(json.label);
    expect(byPattern.text).toBe(json.text);
  });

  it('maps finish_reason "length" of a real cut-off reply to invalid-response', async () => {
    const error = await failure(createAdapter(target(models.openaiUrl, { maxTokens: 3 })).invoke(input(), ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.details.status).toBe(200);
    expect(error.message).toMatch(/finish_reason "length"/);
  });

  it('maps a model the server does not serve to http-status 404', async () => {
    const error = await failure(createAdapter(target(models.openaiUrl, { model: 'gpt-unknown' })).invoke(input(), ctx()));
    expect(error).toMatchObject({ type: 'http-status', details: { status: 404 } });
    expect(error.message).toMatch(/answered HTTP 404: model_not_found: The model `gpt-unknown` does not exist/);
  });

  it('gets 401 without the bearer from a server that requires one, and passes with it; the key appears in no message', async () => {
    const anonymous = await failure(createAdapter(target(guarded.openaiUrl)).invoke(input(), ctx()));
    expect(anonymous).toMatchObject({ type: 'http-status', details: { status: 401 } });
    const withKey = createAdapter(target(guarded.openaiUrl, { auth: { bearerEnv: 'CLINSIM_TEST_OPENAI_KEY' } }), { CLINSIM_TEST_OPENAI_KEY: KEY });
    await expect(withKey.invoke(input(), ctx())).resolves.toMatchObject({ label: expect.any(String) });
    const keyed = (path: string) => createAdapter(target(`${base}${path}`, { auth: { bearerEnv: 'K' } }), { K: KEY });
    for (const path of ['/error-401', '/echo-key', '/echo-key-error', '/doc', '/hang']) {
      const error = await failure(keyed(path).invoke(input(), ctx(AbortSignal.timeout(path === '/hang' ? 100 : 5000))));
      expect(error.message).not.toContain(KEY);
      expect(JSON.stringify(error.details.status ?? null)).not.toContain(KEY);
    }
  });
});

describe('openai adapter: the documented wire format', () => {
  it('sends a request that validates against the documented request shape, as the docs example does', async () => {
    expect(ChatCompletionRequest.safeParse(fixture('request.json')).success).toBe(true);
    const t = target(`${base}/capture`, { maxTokens: 200, jsonMode: true, temperature: 0.2, auth: { bearerEnv: 'K' } });
    await createAdapter(t, { K: KEY }).invoke(input(5), ctx());
    const last = seen.at(-1)!;
    expect(last.url).toBe('/capture/chat/completions');
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = ChatCompletionRequest.parse(last.body);
    expect(body).toMatchObject({ model: TRIAGE_MODEL_NAME, temperature: 0.2, max_tokens: 200, response_format: { type: 'json_object' } });
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(last.body).toEqual(chatRequestFor(t, input(5)));
    const user = body.messages[1]!.content as string;
    expect(user).toMatch(/<triage_note>\n[\s\S]+\n<\/triage_note>/);
    expect(user).toMatch(/- Heart rate \[LOINC 8867-4\]: \d+ \/min/);
    // Defaults: temperature 0, no max_tokens, no response_format.
    await createAdapter(target(`${base}/capture`)).invoke(input(5), ctx());
    expect(seen.at(-1)!.body).toMatchObject({ temperature: 0 });
    expect(seen.at(-1)!.body).not.toHaveProperty('max_tokens');
    expect(seen.at(-1)!.body).not.toHaveProperty('response_format');
  });

  it('validates the documented completion object, and maps its content only when it is the task answer', async () => {
    expect(ChatCompletion.safeParse(DOC_COMPLETION).success).toBe(true);
    const prose = await failure(createAdapter(target(`${base}/doc`)).invoke(input(), ctx()));
    expect(prose.type).toBe('invalid-response');
    expect(prose.message).toMatch(/not the JSON answer.*"Hello! How can I assist you today\?"/);
    const answer = await createAdapter(target(`${base}/doc-json`)).invoke(input(), ctx());
    expect(answer).toEqual({ label: 'emergent', text: '{"esi": 2, "rationale": "chest pain"}', usage: { promptTokens: 19, completionTokens: 10 } });
    await expect(createAdapter(target(`${base}/fenced`)).invoke(input(), ctx())).resolves.toMatchObject({ label: 'non-urgent' });
    await expect(createAdapter(target(`${base}/no-usage`)).invoke(input(), ctx())).resolves.toEqual({ label: 'non-urgent', text: '{"esi": 5}' });
  });

  it('maps the documented error objects by status, keeping their code and message: 401 invalid_api_key, 400 context_length_exceeded', async () => {
    const unauthorized = await failure(createAdapter(target(`${base}/error-401`)).invoke(input(), ctx()));
    expect(unauthorized).toMatchObject({ type: 'http-status', details: { status: 401 } });
    expect(unauthorized.message).toMatch(/HTTP 401: invalid_api_key: Incorrect API key provided: sk-abc\*\*\*xyz\./);
    const tooLong = await failure(createAdapter(target(`${base}/error-400`)).invoke(input(), ctx()));
    expect(tooLong).toMatchObject({ type: 'http-status', details: { status: 400 } });
    expect(tooLong.message).toMatch(/HTTP 400: context_length_exceeded: This model's maximum context length is 128000 tokens/);
  });
});

describe('openai adapter: failures', () => {
  const fails = async (path: string, signal?: AbortSignal) => failure(createAdapter(target(`${base}${path}`)).invoke(input(), ctx(signal)));

  it('maps 5xx and 429 to http-status with Retry-After', async () => {
    expect(await fails('/error-500')).toMatchObject({ type: 'http-status', details: { status: 500 } });
    expect(await fails('/error-429')).toMatchObject({ type: 'http-status', details: { status: 429, retryAfterMs: 3000 } });
  });

  it.each([
    ['/malformed', /not JSON/],
    ['/no-choices', /not a chat\.completion: choices: has no choices/],
    ['/not-completion', /not a chat\.completion: object/],
    ['/prose-around', /not the JSON answer/],
    ['/esi-7', /does not match the task's answer format: esi/],
    ['/length', /finish_reason "length"/],
    ['/filtered', /content_filter/],
    ['/refusal', /the model refused: "I'm sorry/],
  ])('maps %s to invalid-response naming the problem', async (path, message) => {
    const error = await fails(path);
    expect(error.type).toBe('invalid-response');
    expect(error.details.status).toBe(200);
    expect(error.message).toMatch(message);
  });

  it('maps a content that does not match the pattern, or a capture that is no answer, to invalid-response', async () => {
    const mismatch = await failure(createAdapter(target(`${base}/doc`, { answer: { pattern: 'ESI (\\d)' } })).invoke(input(), ctx()));
    expect(mismatch.message).toMatch(/does not match the answer pattern \/ESI \(\\d\)\//);
    const wrong = await failure(createAdapter(target(`${base}/doc`, { answer: { pattern: '(Hello)' } })).invoke(input(), ctx()));
    expect(wrong.message).toMatch(/captured "Hello", expected an ESI level/);
  });

  it('maps slow and hanging replies to timeout at the deadline', async () => {
    for (const path of ['/slow', '/hang']) {
      const started = performance.now();
      expect((await fails(path, AbortSignal.timeout(150))).type).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('maps a reset and a refused connection to transport', async () => {
    expect((await fails('/reset')).type).toBe('transport');
    const refused = await failure(createAdapter(target(`${closedBase}/v1`)).invoke(input(), ctx()));
    expect(refused.type).toBe('transport');
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });
});

describe('openai target', () => {
  const issues = (extra: Record<string, unknown>) => {
    const parsed = Target.safeParse({ adapter: 'openai', url: 'http://127.0.0.1:8000/v1', model: 'm', ...extra });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('checks the pattern, the placeholders and the base URL', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ answer: { pattern: 'ESI \\d' } })).toEqual(['answer.pattern: must have exactly one capture group, has 0']);
    expect(issues({ answer: { pattern: '(a)(b)' } })).toEqual(['answer.pattern: must have exactly one capture group, has 2']);
    expect(issues({ answer: { pattern: '(' } })[0]).toMatch(/^answer\.pattern: not a valid regular expression/);
    expect(issues({ prompt: 'Note: {{notes}}' })[0]).toMatch(/unknown placeholder \{\{notes\}\}; known: \{\{note\}\}/);
    expect(issues({ prompt: { system: 'Triage. {{answerFormat}}', user: '{{note}}' } })).toEqual([]);
    expect(issues({ url: 'http://127.0.0.1:8000/v1/chat/completions' })[0]).toMatch(/must be the API base/);
    expect(Target.safeParse({ adapter: 'openai', url: 'http://127.0.0.1:8000/v1' }).success).toBe(false);
  });

  it('takes the model of --target openai+url from CLINSIM_OPENAI_MODEL, else the reference model', () => {
    expect(parseTargetFlag('openai+http://127.0.0.1:8000/v1', {})).toMatchObject({ adapter: 'openai', model: TRIAGE_MODEL_NAME, temperature: 0 });
    expect(parseTargetFlag('openai+http://127.0.0.1:8000/v1', { CLINSIM_OPENAI_MODEL: 'gpt-4o-mini' })).toMatchObject({ model: 'gpt-4o-mini' });
    expect(parseTargetFlag('openai+http://127.0.0.1:8000/v1', {})).not.toHaveProperty('auth');
    // The key is named, never copied: the target holds the variable's name only.
    const keyed = parseTargetFlag('openai+http://127.0.0.1:8000/v1', { OPENAI_API_KEY: KEY });
    expect(keyed).toMatchObject({ auth: { bearerEnv: 'OPENAI_API_KEY' } });
    expect(JSON.stringify(keyed)).not.toContain(KEY);
  });

  it('uses a custom prompt with the placeholders filled from the bundle', () => {
    const t = target('http://127.0.0.1:1/v1', { prompt: 'Vitals:\n{{observations}}\nNote: {{note}}\n{{answerFormat}}' });
    const request = chatRequestFor(t, input(3));
    expect(request.messages[0]!.content).toContain('Emergency Severity Index');
    expect(request.messages[1]!.content).toMatch(/^Vitals:\n- Heart rate \[LOINC 8867-4\]/);
    expect(request.messages[1]!.content).toContain('Answer with one JSON object and nothing else: {"esi"');
    expect(request.messages[1]!.content).not.toContain('{{');
  });
});
