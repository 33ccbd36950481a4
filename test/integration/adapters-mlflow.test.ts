import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import { statusOf } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { serverUrls } from '../../adapters/mlflow.ts';
import { Target } from '../../simulator/scenario.ts';
import { parseTargetFlag } from '../../simulator/cli/target-flag.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { closedPortBase, ctx, failure, sepsisCase } from './adapter-fixtures.ts';

/**
 * The mlflow adapter against a local fixture server: the documented wire examples
 * (test/fixtures/wire/mlflow/) and every failure the adapter has to map. Each fixture route is a
 * base URL of its own: `/{name}/invocations`, `/{name}/ping`.
 */

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/wire/mlflow/${name}`, import.meta.url), 'utf8'));
const requestSchema = new Ajv({ allErrors: true, strict: false }).compile(fixture('dataframe-split.schema.json') as object);

let server: FastifyInstance;
let base: string;
let closedPortUrl: string;
const received: { bodies: Record<string, unknown[]>; headers: Record<string, unknown>[] } = { bodies: {}, headers: [] };

beforeAll(async () => {
  server = Fastify({ forceCloseConnections: true });
  server.post('/:name/invocations', async (req, reply) => {
    const { name } = req.params as { name: string };
    (received.bodies[name] ??= []).push(req.body);
    received.headers.push(req.headers);
    switch (name) {
      case 'ok':
        return { predictions: [0.25] };
      case 'with-metadata':
        return { predictions: [0.5], model_version: '3' };
      case 'v1-list':
        return [0.75];
      case 'docs-response':
        return fixture('invocations-response.docs.json');
      case 'error':
        return reply.code(400).send(fixture('error.scoring-server.json'));
      case '500':
        return reply.code(500).send({ error_code: 'INTERNAL_ERROR', message: 'worker crashed' });
      case '429':
        return reply.code(429).header('retry-after', '2').send({ error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' });
      case 'plain-415':
        return reply.code(415).type('text/plain').send('This predictor only supports the following content types');
      case 'malformed':
        return reply.type('application/json').send('{"predictions": [0.2');
      case 'wrong-schema':
        return { prediction: 0.2 };
      case 'two-rows':
        return { predictions: [0.2, 0.3] };
      case 'probabilities':
        return { predictions: [[0.9, 0.1]] };
      case 'record':
        return { predictions: [{ probability: 0.4 }] };
      case 'label-string':
        return { predictions: ['sepsis'] };
      case 'null':
        return { predictions: [null] };
      case 'slow':
        await new Promise((r) => setTimeout(r, 400));
        return { predictions: [0.25] };
      case 'hang':
        return new Promise(() => {});
      case 'reset':
        req.raw.socket.destroy();
        return new Promise(() => {});
      default:
        return reply.code(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: 'no such fixture' });
    }
  });
  server.get('/:name/ping', async (req, reply) => {
    const { name } = req.params as { name: string };
    if (name === 'down') return reply.code(503).send({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'loading model' });
    return reply.type('application/json').send('\n');
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });

  const closedBase = await closedPortBase();
  closedPortUrl = closedBase;
});

afterAll(async () => {
  await server?.close();
});

const input = sepsisCase(0);
const target = (url: string): Target => Target.parse({ adapter: 'mlflow', url, retries: 0 });
const adapterFor = (name: string) => createAdapter(target(`${base}/${name}`));

describe('mlflow target', () => {
  it('takes a base URL or the /invocations endpoint, also from --target', () => {
    expect(parseTargetFlag('mlflow+http://127.0.0.1:5001')).toMatchObject({ adapter: 'mlflow', url: 'http://127.0.0.1:5001' });
    expect(Target.safeParse({ adapter: 'mlflow', url: 'ftp://h' }).success).toBe(false);
    expect(serverUrls('http://h:5001')).toEqual({ invocations: 'http://h:5001/invocations', ping: 'http://h:5001/ping' });
    expect(serverUrls('https://h/serving/m/invocations/?k=1')).toEqual({
      invocations: 'https://h/serving/m/invocations?k=1',
      ping: 'https://h/serving/m/ping?k=1',
    });
  });
});

describe('mlflow adapter: the request', () => {
  it('POSTs the feature row as dataframe_split, null for a missing value, valid against the documented shape', async () => {
    expect(requestSchema(fixture('invocations-request.docs.json'))).toBe(true); // the schema takes the docs' own example
    const adapter = adapterFor('ok');
    expect(adapter.kind).toBe('mlflow');
    received.bodies.ok = [];
    const prediction = await adapter.invoke(input, ctx());
    expect(prediction).toEqual({ score: 0.25 });
    expect(statusOf(prediction)).toBe(200);
    const [body] = received.bodies.ok!;
    expect(requestSchema(body), JSON.stringify(requestSchema.errors)).toBe(true);
    expect(body).toEqual({ dataframe_split: { columns: [...tasks.sepsis.table.features], data: [[...input.features.values]] } });
    expect(input.features.values).toContain(null);
    expect(received.headers.at(-1)!['content-type']).toBe('application/json');
    // The same server through an …/invocations URL.
    await expect(createAdapter(target(`${base}/ok/invocations`)).invoke(input, ctx())).resolves.toEqual({ score: 0.25 });
  });

  it('fails a case without a feature row with invalid-response and sends nothing', async () => {
    received.bodies.ok = [];
    const { features: _, ...withoutRow } = input;
    const error = await failure(adapterFor('ok').invoke(withoutRow, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(received.bodies.ok).toHaveLength(0);
  });

  it('keeps URL credentials and the query out of messages', async () => {
    const url = new URL(`${base}/error`);
    url.username = 'user';
    url.password = 'hunter2';
    url.search = '?token=topsecret';
    const error = await failure(createAdapter(target(url.href)).invoke(input, ctx()));
    expect(received.headers.at(-1)!.authorization).toBe(`Basic ${Buffer.from('user:hunter2').toString('base64')}`);
    expect(error.message).toContain(`${base}/error/invocations`);
    expect(error.message).not.toMatch(/hunter2|topsecret|user@/);
  });
});

describe('mlflow adapter: replies', () => {
  it('reads {"predictions": [p]} (extra keys allowed) and the bare list of MLflow 1.x', async () => {
    await expect(adapterFor('with-metadata').invoke(input, ctx())).resolves.toEqual({ score: 0.5 });
    await expect(adapterFor('v1-list').invoke(input, ctx())).resolves.toEqual({ score: 0.75 });
  });

  it('maps the documented reply (a regression output, not a probability) to invalid-response', async () => {
    const error = await failure(adapterFor('docs-response').invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.details.status).toBe(200);
    expect(error.message).toMatch(/score/);
  });

  it('maps the documented error body to http-status with its code and message', async () => {
    const error = await failure(adapterFor('error').invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.details.status).toBe(400);
    expect(error.message).toMatch(/answered HTTP 400: BAD_REQUEST: The input must be a JSON dictionary/);
  });

  it.each(['two-rows', 'probabilities', 'record', 'label-string', 'null', 'wrong-schema', 'malformed'])('refuses %s with invalid-response', async (name) => {
    const error = await failure(adapterFor(name).invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.details.status).toBe(200);
  });
});

describe('mlflow adapter: failures', () => {
  it('maps 5xx, 429 (with Retry-After) and a plain-text 415 to http-status', async () => {
    const crashed = await failure(adapterFor('500').invoke(input, ctx()));
    expect(crashed).toMatchObject({ type: 'http-status', details: { status: 500 } });
    expect(crashed.message).toMatch(/INTERNAL_ERROR: worker crashed/);
    const limited = await failure(adapterFor('429').invoke(input, ctx()));
    expect(limited.details).toMatchObject({ status: 429, retryAfterMs: 2000 });
    const media = await failure(adapterFor('plain-415').invoke(input, ctx()));
    expect(media.type).toBe('http-status');
    expect(media.message).toMatch(/answered HTTP 415$/);
  });

  it('maps a slow reply past the deadline and a hanging one to timeout', async () => {
    const started = Date.now();
    expect((await failure(adapterFor('slow').invoke(input, ctx(AbortSignal.timeout(100))))).type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(390);
    await expect(adapterFor('slow').invoke(input, ctx(AbortSignal.timeout(3000)))).resolves.toEqual({ score: 0.25 });
    expect((await failure(adapterFor('hang').invoke(input, ctx(AbortSignal.timeout(150))))).type).toBe('timeout');
  });

  it('maps a connection reset and a refused connection to transport', async () => {
    expect((await failure(adapterFor('reset').invoke(input, ctx()))).type).toBe('transport');
    const refused = await failure(createAdapter(target(closedPortUrl)).invoke(input, ctx()));
    expect(refused.type).toBe('transport');
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('health: GET /ping answers a bare newline; a 503 is http-status with the message', async () => {
    await expect(adapterFor('ok').health!()).resolves.toBeUndefined();
    const down = await failure(adapterFor('down').health!());
    expect(down.type).toBe('http-status');
    expect(down.message).toMatch(/\/down\/ping answered HTTP 503: TEMPORARILY_UNAVAILABLE: loading model/);
  });
});
