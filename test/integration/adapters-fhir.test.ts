import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { statusOf, type ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { parseTargetFlag } from '../../simulator/cli/target-flag.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { Target } from '../../simulator/scenario.ts';
import { FhirTarget } from '../../simulator/targets/fhir.ts';
import { closedPortBase, ctx, failure } from './adapter-fixtures.ts';

/**
 * The fhir adapter (fhir-kit-client): the reference sepsis model's `$sepsis-risk` over loopback,
 * the FHIR specification's examples (test/fixtures/wire/fhir), and a local FHIR-ish server with one
 * route per failure to map.
 */

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/wire/fhir/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const KEY = 'fhir-token-4b1d8e2a9c7f';
const FHIR_JSON = 'application/fhir+json';

let models: ReferenceModels;
let server: FastifyInstance;
let base: string;
let closedBase: string;
const seen: { url: string; headers: Record<string, unknown>; body: unknown }[] = [];

const cases = Array.from({ length: 60 }, (_, i) => tasks.sepsis.generate({ seed: 31 }, i));
const input = (i = 0): ModelInput => ({ task: 'sepsis', caseIndex: i, bundle: cases[i]!.bundle });

function target(url: string, extra: Partial<z.input<typeof FhirTarget>> = {}): Target {
  return Target.parse({ adapter: 'fhir', url, timeoutMs: 5000, retries: 0, ...extra });
}

const parameters = (...parameter: Record<string, unknown>[]) => ({ resourceType: 'Parameters', parameter });

beforeAll(async () => {
  models = await startReferenceModels();
  server = Fastify({ forceCloseConnections: true });
  server.addContentTypeParser(FHIR_JSON, { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  const answer = (path: string, status: number, body: unknown, type = FHIR_JSON) =>
    server.post(`/${path}/:op`, async (_req, reply) => reply.code(status).type(type).send(typeof body === 'string' ? body : JSON.stringify(body)));
  server.post('/capture/:op', async (req, reply) => {
    seen.push({ url: req.url, headers: { ...req.headers }, body: req.body });
    return reply.type(FHIR_JSON).send(parameters({ name: 'score', valueDecimal: 0.25 }, { name: 'label', valueCode: 'alert' }, { name: 'text', valueString: 'why' }));
  });
  answer('risk', 200, fixture('riskassessment-example-cardiac.json'));
  answer('return', 200, parameters({ name: 'return', resource: fixture('riskassessment-example-cardiac.json') }));
  answer('spec-parameters', 200, fixture('parameters-example.json'));
  answer('renamed', 200, parameters({ name: 'probability', valueDecimal: 0.7 }, { name: 'alert', valueBoolean: true }));
  answer('outcome-422', 422, fixture('operationoutcome-example.json'));
  answer('outcome-200', 200, fixture('operationoutcome-example.json'));
  answer('500', 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: 'model crashed' }] });
  server.post('/503/:op', async (_req, reply) => reply.code(503).header('retry-after', '4').type(FHIR_JSON).send('{}'));
  answer('malformed', 200, '{"resourceType": "Parameters", "parameter": [', FHIR_JSON);
  answer('html', 200, '<html>oops</html>', 'text/html');
  answer('patient', 200, { resourceType: 'Patient', id: 'x' });
  answer('score-string', 200, parameters({ name: 'score', valueString: '0.4' }));
  answer('score-range', 200, parameters({ name: 'score', valueDecimal: 1.4 }));
  answer('two-values', 200, parameters({ name: 'score', valueDecimal: 0.4, valueString: '0.4' }));
  answer('duplicate', 200, parameters({ name: 'score', valueDecimal: 0.4 }, { name: 'score', valueDecimal: 0.5 }));
  answer('no-probability', 200, { resourceType: 'RiskAssessment', status: 'final', prediction: [{ qualitativeRisk: { text: 'moderate' } }] });
  server.post('/echo-key/:op', async (req, reply) =>
    reply
      .code(403)
      .type(FHIR_JSON)
      .send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: `token ${String(req.headers.authorization)} is not allowed` }] }),
  );
  server.post('/secure/:op', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      return reply.code(401).type(FHIR_JSON).send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'bearer token required' }] });
    }
    return reply.type(FHIR_JSON).send(parameters({ name: 'score', valueDecimal: 0.5 }));
  });
  server.post('/slow/:op', async (_req, reply) => {
    await new Promise((r) => setTimeout(r, 600));
    return reply.type(FHIR_JSON).send(parameters({ name: 'score', valueDecimal: 0.5 }));
  });
  server.post('/hang/:op', () => {
    /* never answers */
  });
  server.post('/stall-body/:op', async (_req, reply) => {
    // Headers and a first chunk, then nothing: the deadline must also free the reading of the body.
    reply.raw.writeHead(200, { 'content-type': FHIR_JSON });
    reply.raw.write('{"resourceType": "Parameters", ');
    await new Promise(() => {});
  });
  server.post('/reset/:op', async (req) => {
    req.raw.socket.destroy();
    await new Promise(() => {});
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  closedBase = await closedPortBase();
});

afterAll(async () => {
  await Promise.all([models?.close(), server?.close()]);
});

describe('fhir adapter against the reference $sepsis-risk', () => {
  it('gives the score /predict gives for the same Bundle, with the HTTP status', async () => {
    const adapter = createAdapter(target(models.fhirUrl));
    expect(adapter.kind).toBe('fhir');
    const viaPredict = createAdapter({ adapter: 'http-json', url: models.sepsisUrl, timeoutMs: 5000, concurrency: 1, retries: 0 });
    for (let i = 0; i < cases.length; i++) {
      const [fhir, predict] = await Promise.all([adapter.invoke(input(i), ctx()), viaPredict.invoke(input(i), ctx())]);
      expect(fhir).toEqual({ score: predict.score, label: predict.label });
      expect(statusOf(fhir)).toBe(200);
    }
  });

  it('--target fhir+<base> calls the task default operation', async () => {
    const flagged = parseTargetFlag(`fhir+${models.fhirUrl}`);
    expect(flagged).toMatchObject({ adapter: 'fhir', url: models.fhirUrl, parameter: 'bundle' });
    expect(flagged).not.toHaveProperty('operation');
    await expect(createAdapter(flagged).invoke(input(), ctx())).resolves.toMatchObject({ score: expect.any(Number) });
  });

  it('maps the reference server OperationOutcomes: unknown operation 404, wrong input parameter 400', async () => {
    const unknown = await failure(createAdapter(target(models.fhirUrl, { operation: '$nope' })).invoke(input(), ctx()));
    expect(unknown).toMatchObject({ type: 'http-status', details: { status: 404 } });
    expect(unknown.message).toMatch(/OperationOutcome error not-supported: /);
    const wrongName = await failure(createAdapter(target(models.fhirUrl, { parameter: 'patientBundle' })).invoke(input(), ctx()));
    expect(wrongName).toMatchObject({ type: 'http-status', details: { status: 400 } });
    expect(wrongName.message).toMatch(/error required: Parameters must hold exactly one parameter "bundle"/);
  });

  it('serves a CapabilityStatement naming the operation', async () => {
    const res = await fetch(`${models.fhirUrl}/metadata`);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await res.json()).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', rest: [{ operation: [{ name: 'sepsis-risk' }] }] });
  });
});

describe('fhir adapter: the documented wire format', () => {
  it('POSTs a Parameters resource carrying the Bundle to [base]/$operation as application/fhir+json', async () => {
    const adapter = createAdapter(target(`${base}/capture`, { operation: 'risk', parameter: 'input', auth: { bearerEnv: 'K' } }), { K: KEY });
    await expect(adapter.invoke(input(4), ctx())).resolves.toEqual({ score: 0.25, label: 'alert', text: 'why' });
    const last = seen.at(-1)!;
    expect(last.url).toBe('/capture/$risk');
    expect(last.headers['content-type']).toBe(FHIR_JSON);
    expect(last.headers.accept).toBe(FHIR_JSON);
    expect(last.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(last.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'input', resource: cases[4]!.bundle }] });
  });

  it('reads a RiskAssessment (the specification example), directly or as the return parameter', async () => {
    await expect(createAdapter(target(`${base}/risk`)).invoke(input(), ctx())).resolves.toEqual({ score: 0.02 });
    await expect(createAdapter(target(`${base}/return`)).invoke(input(), ctx())).resolves.toEqual({ score: 0.02 });
    const none = await failure(createAdapter(target(`${base}/no-probability`)).invoke(input(), ctx()));
    expect(none.message).toMatch(/no probabilityDecimal/);
  });

  it('refuses the specification Parameters example (no score, label or text) and reads renamed parameters', async () => {
    const error = await failure(createAdapter(target(`${base}/spec-parameters`)).invoke(input(), ctx()));
    expect(error).toMatchObject({ type: 'invalid-response', details: { status: 200 } });
    expect(error.message).toMatch(/none of "score", "label", "text" \(parameters: exact, property, patient\)/);
    const renamed = createAdapter(target(`${base}/renamed`, { response: { score: 'probability', label: 'alert' } }));
    await expect(renamed.invoke(input(), ctx())).resolves.toEqual({ score: 0.7, label: 1 });
  });

  it('maps the specification OperationOutcome: with an error status to http-status, with 200 to invalid-response', async () => {
    const error = await failure(createAdapter(target(`${base}/outcome-422`)).invoke(input(), ctx()));
    expect(error).toMatchObject({ type: 'http-status', details: { status: 422 } });
    expect(error.message).toContain('error code-invalid: Acme.Interop.FHIRProcessors.Patient.processGender line 2453');
    const ok = await failure(createAdapter(target(`${base}/outcome-200`)).invoke(input(), ctx()));
    expect(ok).toMatchObject({ type: 'invalid-response', details: { status: 200 } });
    expect(ok.message).toMatch(/answered an OperationOutcome: error code-invalid/);
  });
});

describe('fhir adapter: failures', () => {
  const fails = async (path: string, signal?: AbortSignal) => failure(createAdapter(target(`${base}/${path}`)).invoke(input(), ctx(signal)));

  it('maps 5xx to http-status, with its OperationOutcome and Retry-After', async () => {
    const error = await fails('500');
    expect(error).toMatchObject({ type: 'http-status', details: { status: 500 } });
    expect(error.message).toMatch(/fatal exception: model crashed/);
    expect(await fails('503')).toMatchObject({ type: 'http-status', details: { status: 503, retryAfterMs: 4000 } });
  });

  it.each([
    ['malformed', /HTTP 200 reply is not JSON/],
    ['html', /HTTP 200 reply is not JSON/],
    ['patient', /answered a Patient, expected Parameters or RiskAssessment/],
    ['score-string', /parameter "score" must be a valueDecimal, is valueString/],
    ['score-range', /not a valid prediction: score/],
    ['two-values', /exactly one of value\[x\], resource, part \(inv-1\)/],
    ['duplicate', /2 parameters named "score"/],
  ])('maps a 2xx reply (%s) that is no answer to invalid-response', async (path, message) => {
    const error = await fails(path);
    expect(error).toMatchObject({ type: 'invalid-response', details: { status: 200 } });
    expect(error.message).toMatch(message);
  });

  it('frees slow, hanging and stalled replies at the deadline as timeout', async () => {
    for (const path of ['slow', 'hang', 'stall-body']) {
      const started = performance.now();
      expect((await fails(path, AbortSignal.timeout(150))).type).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('maps a non-deadline abort, a reset and a refused connection to transport', async () => {
    const controller = new AbortController();
    const pending = createAdapter(target(`${base}/hang`)).invoke(input(), ctx(controller.signal));
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    expect((await failure(pending)).type).toBe('transport');
    expect((await fails('reset')).type).toBe('transport');
    const refused = await failure(createAdapter(target(`${closedBase}/fhir`)).invoke(input(), ctx()));
    expect(refused.type).toBe('transport');
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('gets 401 without the bearer, passes with it, and never puts the key in a message', async () => {
    expect(await fails('secure')).toMatchObject({ type: 'http-status', details: { status: 401 } });
    const keyed = (path: string) => createAdapter(target(`${base}/${path}`, { auth: { bearerEnv: 'K' } }), { K: KEY });
    await expect(keyed('secure').invoke(input(), ctx())).resolves.toEqual({ score: 0.5 });
    const echoed = await failure(keyed('echo-key').invoke(input(), ctx()));
    expect(echoed).toMatchObject({ type: 'http-status', details: { status: 403 } });
    expect(echoed.message).toMatch(/token \[REDACTED\] is not allowed/);
    expect(echoed.message).not.toContain(KEY);
  });
});

describe('fhir target', () => {
  it('normalises the operation name and checks it', () => {
    expect(FhirTarget.parse({ adapter: 'fhir', url: 'http://h/fhir', operation: 'sepsis-risk' }).operation).toBe('$sepsis-risk');
    expect(FhirTarget.safeParse({ adapter: 'fhir', url: 'http://h/fhir', operation: '$bad op' }).success).toBe(false);
  });
});
