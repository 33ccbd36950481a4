import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Bundle } from 'fhir/r4.js';
import type { ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { httpJsonAdapter } from '../../adapters/http-json.ts';
import { statusOf as httpStatusOf } from '../../adapters/adapter.ts';
import type { Target } from '../../simulator/scenario.ts';
import { closedPortBase, ctx, failure } from './adapter-fixtures.ts';

/** A local server with one route per behaviour the adapter has to map. */
let server: FastifyInstance;
let base: string;
let closedPortUrl: string;

const bundle: Bundle = { resourceType: 'Bundle', id: 'case-3', type: 'collection', entry: [] };
const input: ModelInput = { task: 'sepsis', caseIndex: 3, bundle };

function target(path: string, extra: Partial<Extract<Target, { adapter: 'http-json' }>> = {}): Target {
  return { adapter: 'http-json', url: `${base}${path}`, timeoutMs: 5000, concurrency: 1, retries: 0, ...extra };
}

beforeAll(async () => {
  server = Fastify({ forceCloseConnections: true });
  server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  server.post('/ok', async () => ({ score: 0.42, label: 1, extra: 'ignored' }));
  server.post('/created', async (_req, reply) => reply.code(201).send({ score: 0.1 }));
  server.post('/echo', async (req) => {
    const body = req.body as Bundle;
    return {
      score: 0.5,
      text: JSON.stringify({ contentType: req.headers['content-type'], id: body.id, auth: req.headers.authorization ?? null }),
    };
  });
  server.post('/nested', async () => ({ result: { probabilities: [0.2, 0.8] }, decision: { code: 'alert' }, label: 0 }));
  server.post('/500', async (_req, reply) => reply.code(500).send({ error: 'internal' }));
  server.post('/429', async (_req, reply) => reply.code(429).header('retry-after', '2').send({ error: 'slow down' }));
  server.post('/429-date', async (_req, reply) =>
    reply.code(503).header('retry-after', new Date(Date.now() + 60_000).toUTCString()).send(),
  );
  server.post('/redirect', async (_req, reply) => reply.redirect(`${base}/ok`, 307));
  server.post('/malformed', async (_req, reply) => reply.type('application/json').send('{"score": 0.4,'));
  server.post('/html', async (_req, reply) => reply.type('text/html').send('<html>oops</html>'));
  server.post('/empty', async (_req, reply) => reply.code(204).send());
  server.post('/wrong-shape', async () => ({ score: 'high', label: 1 }));
  server.post('/out-of-range', async () => ({ score: 1.7 }));
  server.post('/no-fields', async () => ({ probability: 0.3 }));
  server.post('/hang', () => {
    /* never answers */
  });
  server.post('/reset', async (req) => {
    req.raw.socket.destroy();
    await new Promise(() => {});
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });

  const closedBase = await closedPortBase();
  closedPortUrl = `${closedBase}/predict`;
});

afterAll(async () => {
  await server?.close();
});

describe('http-json adapter: success', () => {
  it('maps the default top-level fields and records the HTTP status', async () => {
    const adapter = createAdapter(target('/ok'));
    expect(adapter.kind).toBe('http-json');
    const prediction = await adapter.invoke(input, ctx());
    expect(prediction).toEqual({ score: 0.42, label: 1 });
    expect(httpStatusOf(prediction)).toBe(200);
    const created = await createAdapter(target('/created')).invoke(input, ctx());
    expect(httpStatusOf(created)).toBe(201);
  });

  it('POSTs the bundle as application/fhir+json and sends URL credentials as Basic auth', async () => {
    const url = new URL(`${base}/echo`);
    url.username = 'model-user';
    url.password = 'pa ss';
    // The bare adapter: createAdapter's would scrub the echoed credentials this test reads back.
    const prediction = await httpJsonAdapter({ url: url.href }).invoke(input, ctx());
    expect(JSON.parse(prediction.text ?? '{}')).toEqual({
      contentType: 'application/fhir+json',
      id: 'case-3',
      auth: `Basic ${Buffer.from('model-user:pa ss').toString('base64')}`,
    });
  });

  it('follows dotted response paths', async () => {
    const adapter = createAdapter(target('/nested', { response: { score: 'result.probabilities.1', label: 'decision.code' } }));
    await expect(adapter.invoke(input, ctx())).resolves.toEqual({ score: 0.8, label: 'alert' });
  });
});

describe('http-json adapter: failures', () => {
  it('maps a 500 to http-status with the status', async () => {
    const error = await failure(createAdapter(target('/500')).invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.details.status).toBe(500);
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it('maps a 429 with Retry-After seconds to retryAfterMs', async () => {
    const error = await failure(createAdapter(target('/429')).invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.details).toMatchObject({ status: 429, retryAfterMs: 2000 });
  });

  it('reads Retry-After as an HTTP date', async () => {
    const error = await failure(createAdapter(target('/429-date')).invoke(input, ctx()));
    expect(error.details.status).toBe(503);
    expect(error.details.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('does not follow redirects', async () => {
    const error = await failure(createAdapter(target('/redirect')).invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.details.status).toBe(307);
  });

  it.each(['/malformed', '/html', '/empty'])('maps a non-JSON body (%s) to invalid-response', async (path) => {
    const error = await failure(createAdapter(target(path)).invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.details.status).toBeGreaterThanOrEqual(200);
  });

  it('maps JSON of the wrong shape to invalid-response with a short zod message', async () => {
    const wrong = await failure(createAdapter(target('/wrong-shape')).invoke(input, ctx()));
    expect(wrong.type).toBe('invalid-response');
    expect(wrong.message).toMatch(/^not a valid prediction: score: /);
    expect(wrong.message.length).toBeLessThan(400);
    const range = await failure(createAdapter(target('/out-of-range')).invoke(input, ctx()));
    expect(range.type).toBe('invalid-response');
    expect(range.details.status).toBe(200);
    const none = await failure(createAdapter(target('/no-fields')).invoke(input, ctx()));
    expect(none.type).toBe('invalid-response');
    expect(none.message).toMatch(/none of the mapped fields/);
  });

  it('maps the deadline abort of a hanging reply to timeout', async () => {
    const started = Date.now();
    const error = await failure(createAdapter(target('/hang')).invoke(input, ctx(AbortSignal.timeout(100))));
    expect(error.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('maps a non-deadline abort to transport', async () => {
    const controller = new AbortController();
    const pending = createAdapter(target('/hang')).invoke(input, ctx(controller.signal));
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    expect((await failure(pending)).type).toBe('transport');
  });

  it('maps a connection reset to transport', async () => {
    const error = await failure(createAdapter(target('/reset')).invoke(input, ctx()));
    expect(error.type).toBe('transport');
    expect(error.details.status).toBeUndefined();
  });

  it('maps a refused connection to transport', async () => {
    const error = await failure(createAdapter(target('', { url: closedPortUrl })).invoke(input, ctx()));
    expect(error.type).toBe('transport');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('keeps credentials and query strings out of error messages', async () => {
    const url = new URL(`${base}/500`);
    url.username = 'user';
    url.password = 'hunter2';
    url.search = '?api_key=topsecret';
    const error = await failure(createAdapter(target('', { url: url.href })).invoke(input, ctx()));
    expect(error.message).toContain(`${base}/500`);
    expect(error.message).not.toMatch(/hunter2|topsecret|user@/);
    const refused = new URL(closedPortUrl);
    refused.password = 'hunter2';
    refused.username = 'u';
    const transport = await failure(createAdapter(target('', { url: refused.href })).invoke(input, ctx()));
    expect(transport.message).not.toContain('hunter2');
  });
});
