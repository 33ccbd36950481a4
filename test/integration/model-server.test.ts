import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import type { Adapter, ModelInput, Prediction } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { statusOf as httpStatusOf } from '../../adapters/adapter.ts';
import { modelsCommand, startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { invokeAll } from './invoke-all.ts';

/** The reference model over real loopback HTTP, called through the http-json adapter. */

const SEED = 8675;
const N = 3000;

let flawed: ReferenceModels;
let flawFree: ReferenceModels;

beforeAll(async () => {
  [flawed, flawFree] = await Promise.all([startReferenceModels(), startReferenceModels({ flawFree: true })]);
});
afterAll(async () => {
  await Promise.all([flawed?.close(), flawFree?.close()]);
});

const adapterFor = (url: string): Adapter =>
  createAdapter({ adapter: 'http-json', url, timeoutMs: 10_000, concurrency: 16, retries: 0 });

/** Calls the adapter for every bundle with bounded concurrency; results in input order. */
const callAll = (adapter: Adapter, bundles: readonly Bundle[], concurrency = 16): Promise<Prediction[]> =>
  invokeAll(adapter, bundles.map((bundle, i): ModelInput => ({ task: 'sepsis', caseIndex: i, bundle })), concurrency);

function lactateInMgDl(b: Bundle): Bundle {
  return {
    ...b,
    entry: (b.entry ?? []).map((e) => {
      const r = e.resource;
      if (r?.resourceType !== 'Observation' || !r.code.coding?.some((c) => c.code === '2524-7')) return e;
      const value = Math.round((r.valueQuantity?.value ?? 0) * 9.008);
      return { ...e, resource: { ...r, valueQuantity: { value, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' } } };
    }),
  };
}

describe('reference model server', () => {
  it('binds 127.0.0.1 on an ephemeral port and answers /health', async () => {
    expect(flawed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(flawed.sepsisUrl).toBe(`${flawed.url}/predict`);
    expect(flawed.url).not.toBe(flawFree.url);
    const health = await fetch(`${flawed.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', model: 'clinsim-reference-sepsis', variant: 'flawed' });
    expect(await (await fetch(`${flawFree.url}/health`)).json()).toMatchObject({ variant: 'flaw-free' });
  });

  it('answers the documented shape for application/fhir+json and application/json', async () => {
    const bundle = tasks.sepsis.generate({ seed: SEED }, 0).bundle;
    for (const type of ['application/fhir+json', 'application/json']) {
      const res = await fetch(flawed.sepsisUrl, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(bundle) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ model: 'clinsim-reference-sepsis', version: expect.any(String), variant: 'flawed' });
      expect(body.score).toBeGreaterThanOrEqual(0);
      expect(body.score).toBeLessThanOrEqual(1);
      expect([0, 1]).toContain(body.label);
    }
  });

  it('has baseline AUROC ≥ 0.8 on 3,000 patients through the http-json adapter', async () => {
    const cases = Array.from({ length: N }, (_, i) => tasks.sepsis.generate({ seed: SEED }, i));
    const predictions = await callAll(adapterFor(flawed.sepsisUrl), cases.map((c) => c.bundle));
    expect(predictions.every((p) => httpStatusOf(p) === 200)).toBe(true);
    const scores = predictions.map((p) => p.score ?? NaN);
    const labels = cases.map((c) => c.truth.label ?? -1);
    expect(auroc(scores, labels)).toBeGreaterThanOrEqual(0.8);
    predictions.forEach((p) => expect(p.label).toBe((p.score ?? 0) >= tasks.sepsis.defaultThreshold ? 1 : 0));
  });

  it('serves the flaw-free variant when asked: lactate in mg/dL alarms only the flawed one', async () => {
    const cases = Array.from({ length: 300 }, (_, i) => tasks.sepsis.generate({ seed: SEED }, i));
    // Negatives that have a lactate (about a third: the rest had none ordered).
    const hasLactate = (b: Bundle) => (b.entry ?? []).some((e) => e.resource?.resourceType === 'Observation' && e.resource.code.coding?.some((c) => c.code === '2524-7'));
    const negatives = cases.filter((c) => c.truth.label === 0 && hasLactate(c.bundle)).map((c) => lactateInMgDl(c.bundle));
    expect(negatives.length).toBeGreaterThan(50);
    const alarmRate = (ps: Prediction[]) => ps.filter((p) => p.label === 1).length / ps.length;
    expect(alarmRate(await callAll(adapterFor(flawed.sepsisUrl), negatives))).toBeGreaterThan(0.5);
    expect(alarmRate(await callAll(adapterFor(flawFree.sepsisUrl), negatives))).toBeLessThan(0.2);
  });
});

describe('reference model server: bad input', () => {
  const post = (body: string, type = 'application/fhir+json') =>
    fetch(flawed.sepsisUrl, { method: 'POST', headers: { 'content-type': type }, body });

  it.each([
    ['malformed JSON', '{"resourceType": "Bundle",', 'invalid-json'],
    ['empty body', '', 'invalid-json'],
    ['a JSON array', '[1, 2]', 'not-a-bundle'],
    ['another resource', '{"resourceType": "Patient"}', 'not-a-bundle'],
    ['entry not an array', '{"resourceType": "Bundle", "entry": {}}', 'not-a-bundle'],
    ['prototype pollution', '{"resourceType": "Bundle", "__proto__": {"polluted": 1}}', 'invalid-json'],
  ])('answers %s with 400 and a JSON error', async (_name, body, code) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it('answers an unsupported media type with 415 and unknown routes with 404, as JSON', async () => {
    const xml = await post('<Bundle/>', 'application/fhir+xml');
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ error: { code: 'unsupported-media-type' } });
    const missing = await fetch(`${flawed.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not-found' } });
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const big = JSON.stringify({ resourceType: 'Bundle', entry: [], pad: 'x'.repeat(5 * 1024 * 1024) });
    const res = await post(big);
    expect(res.status).toBe(413);
    const after = await post(JSON.stringify({ resourceType: 'Bundle', entry: [] }));
    expect(after.status).toBe(200);
  });

  it('scores a bundle of broken resources instead of failing', async () => {
    const res = await post(JSON.stringify({ resourceType: 'Bundle', entry: [null, 1, { resource: { resourceType: 'Observation', code: null } }] }));
    expect(res.status).toBe(200);
    expect((await res.json()) as object).toHaveProperty('score');
  });
});

describe('clinsim models command', () => {
  it('starts the flaw-free variant, prints its URL and stops on abort', async () => {
    let printed = '';
    const controller = new AbortController();
    const done = modelsCommand(['--port', '0', '--flaw-free'], { stdout: { write: (t: string) => (printed += t) }, stderr: { write: () => true } }, controller.signal);
    await expect.poll(() => printed, { timeout: 5000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /listening on (\S+)/.exec(printed)![1]!;
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ variant: 'flaw-free' });
    controller.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('rejects bad options with exit code 2', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } };
    expect(await modelsCommand(['--port', 'http'], io)).toBe(2);
    expect(await modelsCommand(['--bogus'], io)).toBe(2);
    expect(err).toMatch(/--port/);
  });
});
