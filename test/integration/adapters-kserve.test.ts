import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Ajv } from 'ajv';
import { statusOf } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { modelUrls } from '../../adapters/kserve-wire.ts';
import { Target } from '../../simulator/scenario.ts';
import { parseTargetFlag } from '../../simulator/cli/target-flag.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { closedPortBase, ctx, failure, sepsisCase } from './adapter-fixtures.ts';

/**
 * The kserve adapter against a local fixture server: the documented V2 wire examples
 * (test/fixtures/wire/kserve-v2/), every failure the adapter has to map, and the metadata check.
 */

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/wire/kserve-v2/${name}`, import.meta.url), 'utf8'));
const requestSchema = new Ajv({ allErrors: true, strict: false }).compile(fixture('inference-request.schema.json') as object);

const COLUMNS = tasks.sepsis.table.features;
const sepsisMetadata = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  versions: ['3'],
  platform: 'sklearn_sklearn',
  inputs: COLUMNS.map((c) => ({ name: c, datatype: 'FP64', shape: [-1] })),
  outputs: [{ name: 'score', datatype: 'FP64', shape: [-1] }],
  ...extra,
});

type Body = { id?: string; inputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[] };
const answer = (body: Body, data: unknown[] = [0.25], extra: Record<string, unknown> = {}) => ({
  model_name: 'fixture',
  id: body.id,
  outputs: [{ name: 'score', shape: [data.length], datatype: 'FP64', data }],
  ...extra,
});

let server: FastifyInstance;
let base: string;
let closedPortUrl: string;
const received: { infer: Record<string, Body[]>; metadata: Record<string, number>; headers: Record<string, unknown>[] } = { infer: {}, metadata: {}, headers: [] };
let metaFailures = 0;

beforeAll(async () => {
  server = Fastify({ forceCloseConnections: true });
  const metadata = async (name: string, reply: FastifyReply) => {
    received.metadata[name] = (received.metadata[name] ?? 0) + 1;
    switch (name) {
      case 'mismatch':
        return fixture('model-metadata.seldon-core-2.json');
      case 'no-signature':
        return { name, platform: '', inputs: [], outputs: [] };
      case 'meta-bad':
        return { hello: 'world' };
      case 'meta-flaky':
        if (metaFailures-- > 0) return reply.code(503).send({ error: 'loading' });
        return sepsisMetadata(name);
      case 'multi-output':
        return sepsisMetadata(name, { outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }, { name: 'score', datatype: 'FP64', shape: [-1] }] });
      default:
        return sepsisMetadata(name);
    }
  };
  server.get('/v2/models/:name', async (req, reply) => metadata((req.params as { name: string }).name, reply));
  server.get('/v2/models/:name/versions/:v', async (req, reply) => metadata((req.params as { name: string }).name, reply));
  server.get('/v2/models/:name/ready', async (req, reply) => {
    const { name } = req.params as { name: string };
    if (name === 'notready') return { name, ready: false };
    if (name === 'down') return reply.code(503).send({ error: 'model down is loading' });
    return reply.code(200).send();
  });
  const infer = async (name: string, body: Body, reply: FastifyReply, raw: { destroy(): void }) => {
    (received.infer[name] ??= []).push(body);
    switch (name) {
      case 'spec-response':
        return fixture('infer-response.spec.json');
      case 'sklearn-response':
        return fixture('infer-response.kserve-sklearn.json');
      case 'sklearn-one-row': {
        const documented = fixture('infer-response.kserve-sklearn.json') as { outputs: Record<string, unknown>[] };
        return { ...documented, id: body.id, outputs: [{ ...documented.outputs[0], data: [1], shape: [1] }] };
      }
      case 'error':
        return reply.code(400).send(fixture('error.spec.json'));
      case '500':
        return reply.code(500).send({ error: 'internal' });
      case '503':
        return reply.code(503).header('retry-after', '4').send({ error: 'overloaded' });
      case 'html-error':
        return reply.code(502).type('text/html').send('<html>bad gateway</html>');
      case 'malformed':
        return reply.type('application/json').send('{"outputs": [');
      case 'wrong-schema':
        return { model_name: name, outputs: [{ name: 'score', data: [0.2] }] };
      case 'no-id':
        return { model_name: name, outputs: [{ name: 'score', shape: [1], datatype: 'FP64', data: [0.5] }] };
      case 'other-id':
        return answer({ ...body, id: 'someone-else' });
      case 'out-of-range':
        return answer(body, [1.7]);
      case 'string-score':
        return answer(body, ['0.3']);
      case 'nested':
        return { ...answer(body), outputs: [{ name: 'score', shape: [1, 1], datatype: 'FP64', data: [[0.125]] }] };
      case 'two-probabilities':
        return { ...answer(body), outputs: [{ name: 'probabilities', shape: [1, 2], datatype: 'FP64', data: [0.9, 0.1] }] };
      case 'multi-output':
        return { ...answer(body), outputs: [{ name: 'label', shape: [1], datatype: 'INT64', data: [1] }, { name: 'score', shape: [1], datatype: 'FP64', data: [0.375] }] };
      case 'slow':
        await new Promise((r) => setTimeout(r, 400));
        return answer(body);
      case 'hang':
        return new Promise(() => {});
      case 'reset':
        raw.destroy();
        return new Promise(() => {});
      default:
        return answer(body);
    }
  };
  server.post('/v2/models/:name/infer', async (req, reply) => {
    received.headers.push(req.headers);
    return infer((req.params as { name: string }).name, req.body as Body, reply, req.raw.socket);
  });
  server.post('/v2/models/:name/versions/:v/infer', async (req, reply) => infer(`${(req.params as { name: string }).name}@${(req.params as { v: string }).v}`, req.body as Body, reply, req.raw.socket));
  base = await server.listen({ host: '127.0.0.1', port: 0 });

  const closedBase = await closedPortBase();
  closedPortUrl = `${closedBase}/v2/models/sepsis`;
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  received.headers = [];
});

// Case 0 of seed 404 has no lactate ordered (checked below), so its row carries a null.
const input = sepsisCase(0);
/** The first case whose row has every value (all labs ordered). */
const complete = Array.from({ length: 200 }, (_, i) => sepsisCase(i)).find((c) => c.features.values.every((v) => v !== null))!;
const target = (url: string, extra: Record<string, unknown> = {}): Target => Target.parse({ adapter: 'kserve', url, retries: 0, ...extra });
const adapterFor = (name: string, extra: Record<string, unknown> = {}) => createAdapter(target(`${base}/v2/models/${name}`, extra));

describe('kserve target', () => {
  it('accepts V2 model URLs, with a version and from --target; refuses others', () => {
    expect(Target.parse({ adapter: 'kserve', url: 'http://127.0.0.1:8080/v2/models/sepsis' })).toMatchObject({ adapter: 'kserve', timeoutMs: 10_000 });
    expect(Target.safeParse({ adapter: 'kserve', url: 'http://h/v2/models/sepsis/versions/2/' }).success).toBe(true);
    expect(Target.safeParse({ adapter: 'kserve', url: 'http://h/v2/models/sepsis', output: 'probability' }).success).toBe(true);
    const bad = Target.safeParse({ adapter: 'kserve', url: 'http://h/predict' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/\/v2\/models\/\{name\}/);
    expect(Target.safeParse({ adapter: 'kserve', url: 'http://h/v2/models/sepsis/infer/x' }).success).toBe(false);
    expect(parseTargetFlag('kserve+http://127.0.0.1:8080/v2/models/sepsis')).toMatchObject({ adapter: 'kserve', url: 'http://127.0.0.1:8080/v2/models/sepsis' });
    expect(modelUrls('https://h.example/base/v2/models/m%20x/versions/7/?k=1')).toEqual({
      model: 'https://h.example/base/v2/models/m%20x/versions/7?k=1',
      infer: 'https://h.example/base/v2/models/m%20x/versions/7/infer?k=1',
      ready: 'https://h.example/base/v2/models/m%20x/versions/7/ready?k=1',
      name: 'm x',
    });
  });
});

describe('kserve adapter: the request', () => {
  it('sends one FP64 tensor per feature column, null for a missing value, a fresh id, and validates against the documented request shape', async () => {
    expect(requestSchema(fixture('infer-request.spec.json'))).toBe(true); // the transcribed schema takes the spec's own example
    expect(input.features.values.some((v) => v === null)).toBe(true);
    const adapter = adapterFor('ok');
    expect(adapter.kind).toBe('kserve');
    received.infer.ok = [];
    const prediction = await adapter.invoke(input, ctx());
    await adapter.invoke(complete, ctx());
    expect(prediction).toEqual({ score: 0.25 });
    expect(statusOf(prediction)).toBe(200);
    const [first, second] = received.infer.ok as (Body & Record<string, unknown>)[];
    // A row without missing values is exactly the documented shape.
    expect(requestSchema(second), JSON.stringify(requestSchema.errors)).toBe(true);
    // The spec has no missing value; `null` (MLServer's NaN) is the one departure, and the only one.
    expect(requestSchema(first)).toBe(false);
    const nullPaths = first!.inputs.flatMap((t, i) => (t.data[0] === null ? [`/inputs/${i}/data/0`] : []));
    expect(nullPaths.length).toBeGreaterThan(0);
    expect(new Set(requestSchema.errors!.map((e) => e.instancePath))).toEqual(new Set(nullPaths));
    expect(first!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.id).not.toBe(first!.id);
    expect(first!.parameters).toEqual({ content_type: 'pd' });
    expect(first!.inputs.map((t) => t.name)).toEqual([...COLUMNS]);
    first!.inputs.forEach((tensor, i) => {
      expect(tensor).toEqual({ name: COLUMNS[i], shape: [1], datatype: 'FP64', data: [input.features.values[i]] });
    });
    expect(first!.inputs.find((t) => t.name === 'lactate_mmol_l')!.data).toEqual([null]);
    expect(received.headers[0]!['content-type']).toBe('application/json');
  });

  it('reads the metadata once, and sends to the versioned URL', async () => {
    const adapter = adapterFor('counted');
    await adapter.invoke(input, ctx());
    await adapter.invoke(input, ctx());
    await Promise.all([adapter.invoke(input, ctx()), adapter.invoke(input, ctx())]);
    expect(received.metadata.counted).toBe(1);
    received.infer['ok@3'] = [];
    await expect(createAdapter(target(`${base}/v2/models/ok/versions/3`)).invoke(input, ctx())).resolves.toEqual({ score: 0.25 });
    expect(received.infer['ok@3']).toHaveLength(1);
  });

  it('sends URL credentials as Basic auth and keeps them and the query out of messages', async () => {
    const url = new URL(`${base}/v2/models/error`);
    url.username = 'user';
    url.password = 'hunter2';
    url.search = '?api_key=topsecret';
    const adapter = createAdapter(target(url.href));
    const error = await failure(adapter.invoke(input, ctx()));
    expect(received.headers.at(-1)!.authorization).toBe(`Basic ${Buffer.from('user:hunter2').toString('base64')}`);
    expect(error.message).toContain(`${base}/v2/models/error/infer`);
    expect(error.message).not.toMatch(/hunter2|topsecret|user@/);
  });

  it('fails a case without a feature row with invalid-response and sends nothing', async () => {
    received.infer.ok = [];
    const { features: _, ...withoutRow } = input;
    const error = await failure(adapterFor('ok').invoke(withoutRow, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.message).toMatch(/no tabular feature row/);
    expect(received.infer.ok).toHaveLength(0);
  });
});

describe('kserve adapter: documented replies', () => {
  it('reads a documented KServe response (null parameters, model_version) for one row', async () => {
    await expect(adapterFor('sklearn-one-row').invoke(input, ctx())).resolves.toEqual({ score: 1 });
  });

  it('refuses the documented multi-element outputs rather than guessing a score', async () => {
    const spec = await failure(adapterFor('spec-response').invoke(input, ctx()));
    expect(spec.type).toBe('invalid-response');
    // The spec's example answers id "42" to a request with another id.
    expect(spec.message).toMatch(/reply id "42" is not the request's id/);
    const sklearn = await failure(adapterFor('sklearn-response').invoke(input, ctx()));
    expect(sklearn.type).toBe('invalid-response');
    const probabilities = await failure(adapterFor('two-probabilities').invoke(input, ctx()));
    expect(probabilities.message).toMatch(/output "probabilities" holds 2 element\(s\) \(shape \[1, 2\]\)/);
  });

  it('maps the documented error body to http-status with its message', async () => {
    const error = await failure(adapterFor('error').invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.details.status).toBe(400);
    expect(error.message).toContain((fixture('error.spec.json') as { error: string }).error);
  });

  it('reads nested tensor data, a reply without id, and a named output', async () => {
    await expect(adapterFor('nested').invoke(input, ctx())).resolves.toEqual({ score: 0.125 });
    await expect(adapterFor('no-id').invoke(input, ctx())).resolves.toEqual({ score: 0.5 });
    await expect(adapterFor('multi-output', { output: 'score' }).invoke(input, ctx())).resolves.toEqual({ score: 0.375 });
    // Without `output`, the first output is read: here the label.
    await expect(adapterFor('multi-output').invoke(input, ctx())).resolves.toEqual({ score: 1 });
    const missing = await failure(adapterFor('multi-output', { output: 'probability' }).invoke(input, ctx()));
    expect(missing.type).toBe('invalid-response');
    expect(missing.message).toMatch(/declares no output "probability" \(outputs: label, score\)/);
  });
});

describe('kserve adapter: failures', () => {
  it.each([
    ['500', 500],
    ['503', 503],
  ])('maps HTTP %s to http-status', async (name, status) => {
    const error = await failure(adapterFor(name).invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.details.status).toBe(status);
    if (status === 503) expect(error.details.retryAfterMs).toBe(4000);
  });

  it('keeps a non-JSON error body out of the message', async () => {
    const error = await failure(adapterFor('html-error').invoke(input, ctx()));
    expect(error.type).toBe('http-status');
    expect(error.message).toMatch(/answered HTTP 502$/);
  });

  it('maps malformed JSON and JSON of the wrong schema to invalid-response', async () => {
    const malformed = await failure(adapterFor('malformed').invoke(input, ctx()));
    expect(malformed.type).toBe('invalid-response');
    expect(malformed.details.status).toBe(200);
    const wrong = await failure(adapterFor('wrong-schema').invoke(input, ctx()));
    expect(wrong.type).toBe('invalid-response');
    expect(wrong.message).toMatch(/^not a V2 inference response: outputs\.0\.shape/);
    for (const name of ['out-of-range', 'string-score', 'other-id']) {
      const error = await failure(adapterFor(name).invoke(input, ctx()));
      expect(error.type, name).toBe('invalid-response');
      expect(error.details.status).toBe(200);
    }
  });

  it('maps a slow reply past the deadline and a hanging one to timeout; a slow one in time is answered', async () => {
    const adapter = adapterFor('slow');
    await adapter.invoke(input, ctx()); // metadata read, so the deadline below is the call's alone
    const started = Date.now();
    expect((await failure(adapter.invoke(input, ctx(AbortSignal.timeout(100))))).type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(390);
    await expect(adapter.invoke(input, ctx(AbortSignal.timeout(3000)))).resolves.toEqual({ score: 0.25 });
    expect((await failure(adapterFor('hang').invoke(input, ctx(AbortSignal.timeout(150))))).type).toBe('timeout');
  });

  it('maps a connection reset and a refused connection to transport', async () => {
    const reset = await failure(adapterFor('reset').invoke(input, ctx()));
    expect(reset.type).toBe('transport');
    const refused = await failure(createAdapter(target(closedPortUrl)).invoke(input, ctx()));
    expect(refused.type).toBe('transport');
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });
});

describe('kserve adapter: metadata', () => {
  it('fails every call on an input mismatch, naming both sides, without an inference request', async () => {
    const adapter = adapterFor('mismatch');
    const error = await failure(adapter.invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.message).toMatch(/model inputs the task's row does not have: text/);
    expect(error.message).toMatch(/row columns the model does not declare: age_years, sex_female, heart_rate/);
    expect((await failure(adapter.invoke(input, ctx()))).type).toBe('invalid-response');
    expect(received.infer.mismatch).toBeUndefined();
    expect(received.metadata.mismatch).toBe(1);
  });

  it('does not check a model that declares no inputs', async () => {
    await expect(adapterFor('no-signature').invoke(input, ctx())).resolves.toEqual({ score: 0.25 });
  });

  it('keeps a metadata document of the wrong shape (no retry) but retries one that got no answer', async () => {
    const bad = adapterFor('meta-bad');
    expect((await failure(bad.invoke(input, ctx()))).message).toMatch(/not V2 model metadata/);
    await failure(bad.invoke(input, ctx()));
    expect(received.metadata['meta-bad']).toBe(1);

    metaFailures = 1;
    const flaky = adapterFor('meta-flaky');
    const first = await failure(flaky.invoke(input, ctx()));
    expect(first.type).toBe('http-status');
    expect(first.message).toMatch(/GET .*\/v2\/models\/meta-flaky answered HTTP 503: loading/);
    await expect(flaky.invoke(input, ctx())).resolves.toEqual({ score: 0.25 });
    expect(received.metadata['meta-flaky']).toBe(2);
  });

  it('health: the ready probe (empty body), then the metadata', async () => {
    await expect(adapterFor('ok').health!()).resolves.toBeUndefined();
    expect((await failure(adapterFor('notready').health!())).message).toMatch(/not ready/);
    const down = await failure(adapterFor('down').health!());
    expect(down.type).toBe('http-status');
    expect(down.message).toMatch(/HTTP 503: model down is loading/);
  });
});
