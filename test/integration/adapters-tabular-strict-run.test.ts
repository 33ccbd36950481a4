import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import { fuzz, missing, shift } from '../../simulator/perturb/families.ts';
import { Scenario, type ScenarioInput, type TargetInput } from '../../simulator/scenario.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';

/**
 * Real runs (executeRun) of a small sepsis scenario, baseline, shifted, missing and fuzzed arms,
 * against a strict KServe V2 server and a strict MLflow scoring server written here: each refuses
 * anything but the documented request format (the JSON Schemas of test/fixtures/wire/, plus the
 * model's signature) with 400 and counts what it refused. Every call must be accepted and answered.
 */

const ajv = new Ajv({ allErrors: true, strict: false });
const schema = (path: string) => ajv.compile(JSON.parse(readFileSync(new URL(`../fixtures/wire/${path}`, import.meta.url), 'utf8')) as object);
const v2Request = schema('kserve-v2/inference-request.schema.json');
const dataframeSplit = schema('mlflow/dataframe-split.schema.json');

const COLUMNS = [...tasks.sepsis.table.features];
const SIZE = 40;
const isJson = (type: string | undefined) => /^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(type ?? '');

/** A score any strict server can give: a logistic of the heart rate (missing → 80). */
const scoreOf = (heartRate: unknown): number => 1 / (1 + Math.exp(-((typeof heartRate === 'number' ? Math.min(Math.max(heartRate, 0), 300) : 80) - 100) / 10));

interface Counts {
  accepted: number;
  rejected: string[];
}

function strictKserve(counts: Counts): FastifyInstance {
  const app = Fastify({ forceCloseConnections: true });
  const reject = (why: string) => {
    counts.rejected.push(why);
    return { error: why };
  };
  app.get('/v2/models/risk', async () => ({
    name: 'risk',
    versions: ['1'],
    platform: 'onnx_onnxv1',
    inputs: COLUMNS.map((name) => ({ name, datatype: 'FP64', shape: [-1] })),
    outputs: [{ name: 'probability', datatype: 'FP64', shape: [-1] }],
  }));
  app.get('/v2/models/risk/ready', async () => ({ name: 'risk', ready: true }));
  app.post('/v2/models/risk/infer', async (req, reply) => {
    if (!isJson(req.headers['content-type'])) return reply.code(400).send(reject(`content-type ${req.headers['content-type']}`));
    const body = req.body as { id?: string; inputs?: { name: string; shape: number[]; datatype: string; data: unknown[] }[] };
    // The spec has no missing value; null in an FP64 tensor is MLServer's NaN, and accepted only there.
    const withoutNulls = JSON.parse(JSON.stringify(body), function (this: unknown, key, value: unknown) {
      const tensor = this as { datatype?: unknown };
      return key === 'data' && Array.isArray(value) && tensor.datatype === 'FP64' ? value.map((v) => (v === null ? 0 : v)) : value;
    }) as unknown;
    if (!v2Request(withoutNulls)) return reply.code(400).send(reject(`schema: ${ajv.errorsText(v2Request.errors)}`));
    const inputs = body.inputs!;
    if (inputs.map((t) => t.name).join() !== COLUMNS.join()) return reply.code(400).send(reject(`inputs ${inputs.map((t) => t.name).join()}`));
    for (const t of inputs) {
      if (t.datatype !== 'FP64' || t.shape.join() !== '1' || t.data.length !== 1) return reply.code(400).send(reject(`tensor ${t.name}`));
      if (t.data[0] !== null && !Number.isFinite(t.data[0])) return reply.code(400).send(reject(`value of ${t.name}`));
    }
    counts.accepted++;
    const heartRate = inputs.find((t) => t.name === 'heart_rate')!.data[0];
    return { model_name: 'risk', model_version: '1', ...(body.id ? { id: body.id } : {}), outputs: [{ name: 'probability', shape: [1], datatype: 'FP64', data: [scoreOf(heartRate)] }] };
  });
  return app;
}

function strictMlflow(counts: Counts): FastifyInstance {
  const app = Fastify({ forceCloseConnections: true });
  const reject = (why: string) => {
    counts.rejected.push(why);
    return { error_code: 'BAD_REQUEST', message: why };
  };
  app.get('/ping', async (_req, reply) => reply.type('application/json').send('\n'));
  app.post('/invocations', async (req, reply) => {
    if (!isJson(req.headers['content-type'])) return reply.code(415).send(reject(`content-type ${req.headers['content-type']}`));
    if (!dataframeSplit(req.body)) return reply.code(400).send(reject(`schema: ${ajv.errorsText(dataframeSplit.errors)}`));
    const { columns, data } = (req.body as { dataframe_split: { columns: string[]; data: unknown[][] } }).dataframe_split;
    if (columns.join() !== COLUMNS.join()) return reply.code(400).send(reject(`columns ${columns.join()}`));
    if (data.length !== 1 || data[0]!.length !== columns.length) return reply.code(400).send(reject('rows'));
    if (data[0]!.some((v) => v !== null && !Number.isFinite(v))) return reply.code(400).send(reject('cells'));
    counts.accepted++;
    return { predictions: [scoreOf(data[0]![columns.indexOf('heart_rate')])] };
  });
  return app;
}

const loaded = (input: ScenarioInput): LoadedScenario => ({ scenario: Scenario.parse(input), file: null, contentHash: 'test' });
const ARMS = {
  baseline: [],
  'older-population': [shift.age({ mean: 80, sd: 8 })],
  'lactate-mg-dl': [shift.units({ loinc: '2524-7', to: 'mg/dL' })],
  'missing-labs': [missing.mcar({ loinc: ['2524-7', '6690-2', '1975-2'], rate: 0.7 })],
  'extreme-values': [fuzz.extremeValues({})],
  'wrong-types': [fuzz.wrongTypes({})],
  'empty-bundle': [fuzz.emptyBundle({})],
};

describe('a real run against strict tabular servers', () => {
  let dir: string;
  const servers: FastifyInstance[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-tabular-strict-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['kserve', strictKserve, (base: string): TargetInput => ({ adapter: 'kserve', url: `${base}/v2/models/risk`, concurrency: 4 })],
    ['mlflow', strictMlflow, (base: string): TargetInput => ({ adapter: 'mlflow', url: base, concurrency: 4 })],
  ] as const)('%s: no request refused, every outcome ok', async (kind, build, targetOf) => {
    const counts: Counts = { accepted: 0, rejected: [] };
    const server = build(counts);
    servers.push(server);
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    const result = await executeRun({
      runId: `strict-${kind}`,
      runDir: join(dir, kind),
      signal: new AbortController().signal,
      resamples: 20,
      scenarios: [loaded({ name: `strict-${kind}`, task: 'sepsis', cohort: { size: SIZE, seed: 99 }, target: targetOf(base), arms: ARMS })],
    });
    expect(counts.rejected).toEqual([]);
    expect(result.manifest.status).toBe('complete');
    const arms = result.report!.scenarios[0]!.arms;
    expect(arms.map((a) => a.name)).toEqual(Object.keys(ARMS));
    for (const arm of arms) expect(arm.outcomes, arm.name).toMatchObject({ ok: SIZE, error: 0, timeout: 0, invalid: 0 });
    expect(counts.accepted).toBe(SIZE * Object.keys(ARMS).length);
  });
});
