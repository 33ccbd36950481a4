import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { createSepsisModel } from '../../models/sepsis/model.ts';
import { createSepsisRowModel, SEPSIS_ROW_INPUTS, type SepsisRow } from '../../models/sepsis/feature-row.ts';
import { extractMeasurements } from '../../models/sepsis/features.ts';
import { applyArm, type ResolvedPerturbation } from '../../simulator/perturb/apply.ts';
import { definitionOf, type PerturbationKind } from '../../simulator/perturb/registry.ts';
import { featureRowOf } from '../../simulator/cohort/feature-row.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { Target } from '../../simulator/scenario.ts';
import { invokeAll } from './invoke-all.ts';

/**
 * The reference sepsis model speaks http-json (the FHIR Bundle), KServe V2 and MLflow (the task's
 * feature row). The same cohort, baseline and perturbed, is scored through all three adapters on
 * loopback and compared case by case with what the model computes in process.
 */

const SEED = 20261124;
const N = 250;
const COHORT = { seed: SEED };
const LACTATE = '2524-7';

let flawed: ReferenceModels;
let flawFree: ReferenceModels;
beforeAll(async () => {
  [flawed, flawFree] = await Promise.all([startReferenceModels(), startReferenceModels({ flawFree: true })]);
});
afterAll(async () => {
  await Promise.all([flawed?.close(), flawFree?.close()]);
});

function resolve(specs: { kind: PerturbationKind; params: unknown }[]): ResolvedPerturbation[] {
  return specs.map((s) => ({ kind: s.kind, params: definitionOf(s.kind).params.parse(s.params) as Record<string, unknown> }));
}

const ARMS = {
  baseline: resolve([]),
  'lactate-mg-dl': resolve([{ kind: 'shift.units', params: { loinc: LACTATE, to: 'mg/dL' } }]),
  'missing-lactate': resolve([{ kind: 'missing.mcar', params: { loinc: LACTATE, rate: 1 } }]),
} as const;
type ArmName = keyof typeof ARMS;

/** Every arm's inputs, as the runner builds them (bundle plus its feature row). */
const inputs = Object.fromEntries(
  (Object.keys(ARMS) as ArmName[]).map((arm) => [
    arm,
    Array.from({ length: N }, (_, i): ModelInput & { features: NonNullable<ModelInput['features']> } => {
      const bundle = applyArm(tasks.sepsis.generate(COHORT, i), arm, ARMS[arm], tasks.sepsis, COHORT).case.bundle;
      return { task: 'sepsis', caseIndex: i, bundle, features: featureRowOf(tasks.sepsis, bundle)! };
    }),
  ]),
) as Record<ArmName, (ModelInput & { features: NonNullable<ModelInput['features']> })[]>;

const rowOf = (input: { features: NonNullable<ModelInput['features']> }): SepsisRow =>
  Object.fromEntries(input.features.columns.map((c, i) => [c, input.features.values[i] ?? null])) as SepsisRow;
const hasLactate = (i: number) => rowOf(inputs.baseline[i]!).lactate_mmol_l !== null;

const scoreAll = async (adapter: Adapter, list: readonly ModelInput[], concurrency = 8): Promise<number[]> =>
  (await invokeAll(adapter, list, concurrency)).map((p) => p.score ?? Number.NaN);

const adapters = (models: ReferenceModels) => ({
  httpJson: createAdapter(Target.parse({ adapter: 'http-json', url: models.sepsisUrl, retries: 0 })),
  kserve: createAdapter(Target.parse({ adapter: 'kserve', url: models.kserveUrl, retries: 0 })),
  mlflow: createAdapter(Target.parse({ adapter: 'mlflow', url: models.mlflowUrl, retries: 0 })),
});

describe('the row entry of the sepsis model', () => {
  it("its input signature is the sepsis task's feature columns", () => {
    expect([...SEPSIS_ROW_INPUTS]).toEqual([...tasks.sepsis.table.features]);
  });

  it('scores the measurements a bundle carries exactly as predict(bundle) does, both variants, every arm', () => {
    for (const flawFreeVariant of [false, true]) {
      const variant = flawFreeVariant ? 'flaw-free' : 'flawed';
      const model = createSepsisModel({ flawFree: flawFreeVariant });
      const row = createSepsisRowModel({ flawFree: flawFreeVariant });
      for (const arm of Object.keys(ARMS) as ArmName[]) {
        for (const input of inputs[arm]) {
          const fromBundle = model.predict(input.bundle);
          const fromMeasurements = row.predictMeasurements(extractMeasurements(input.bundle, variant).values);
          expect(fromMeasurements.score, `${variant} ${arm} case ${input.caseIndex}`).toBe(fromBundle.score);
          expect(fromMeasurements.label).toBe(fromBundle.label);
        }
      }
    }
  });
});

describe('http-json, kserve and mlflow against the reference server', () => {
  // The flaw-free server is compared through the tabular protocols only (its bundle entry has its own tests).
  const scores: Record<'flawed' | 'flawFree', Record<ArmName, Record<'httpJson' | 'kserve' | 'mlflow', number[]>>> = { flawed: {}, flawFree: {} } as never;

  beforeAll(async () => {
    for (const [key, models] of [['flawed', flawed], ['flawFree', flawFree]] as const) {
      const a = adapters(models);
      for (const arm of Object.keys(ARMS) as ArmName[]) {
        const list = inputs[arm];
        const httpJson = key === 'flawed' ? await scoreAll(a.httpJson, list) : [];
        scores[key][arm] = { httpJson, kserve: await scoreAll(a.kserve, list), mlflow: await scoreAll(a.mlflow, list) };
      }
    }
  }, 120_000);

  it('kserve and mlflow give identical scores case by case, equal to the row model in process', () => {
    for (const key of ['flawed', 'flawFree'] as const) {
      const row = createSepsisRowModel({ flawFree: key === 'flawFree' });
      for (const arm of Object.keys(ARMS) as ArmName[]) {
        const s = scores[key][arm];
        expect(s.kserve, `${key} ${arm}`).toEqual(s.mlflow);
        expect(s.kserve).toEqual(inputs[arm].map((input) => row.predictRow(rowOf(input)).score));
      }
    }
  });

  it('http-json and the tabular protocols compute the same from the same measurements: they differ only by the age the row rounds to years', () => {
    const row = createSepsisRowModel();
    for (const arm of ['baseline', 'missing-lactate'] as const) {
      const s = scores.flawed[arm];
      inputs[arm].forEach((input, i) => {
        const measured = extractMeasurements(input.bundle, 'flawed').values;
        // The bundle's measurements at the row's age resolution give exactly the tabular score...
        expect(s.kserve[i], `${arm} case ${i}`).toBe(row.predictMeasurements({ ...measured, ageYears: rowOf(input).age_years! }).score);
        // ...and exactly the http-json score at the exact age.
        expect(s.httpJson[i]).toBe(row.predictMeasurements(measured).score);
        expect(Math.abs(s.kserve[i]! - s.httpJson[i]!)).toBeLessThan(1e-3);
      });
      const threshold = tasks.sepsis.defaultThreshold;
      const labelDiffers = s.kserve.filter((score, i) => score >= threshold !== s.httpJson[i]! >= threshold).length;
      expect(labelDiffers).toBeLessThanOrEqual(1);
    }
  });

  it('flaw (a), missing lactate read as normal, shows identically through every protocol', () => {
    const row = createSepsisRowModel();
    const { baseline, 'missing-lactate': missing } = scores.flawed;
    const dropped = Array.from({ length: N }, (_, i) => i).filter(hasLactate);
    expect(dropped.length).toBeGreaterThan(60);
    for (const i of dropped) {
      // The row arrives without a lactate, and is scored as if it were 1.0 mmol/L.
      expect(rowOf(inputs['missing-lactate'][i]!).lactate_mmol_l).toBeNull();
      expect(missing.kserve[i]).toBe(row.predictRow({ ...rowOf(inputs['missing-lactate'][i]!), lactate_mmol_l: 1 }).score);
    }
    // The same septic patients lose score through each protocol, by nearly the same amounts.
    const septicWithLactate = dropped.filter((i) => tasks.sepsis.generate(COHORT, i).truth.label === 1 && rowOf(inputs.baseline[i]!).lactate_mmol_l! > 2);
    expect(septicWithLactate.length).toBeGreaterThan(3);
    for (const protocol of ['httpJson', 'kserve', 'mlflow'] as const) {
      for (const i of septicWithLactate) expect(missing[protocol][i]!, `${protocol} case ${i}`).toBeLessThan(baseline[protocol][i]!);
    }
    // The flaw-free server falls back to its no-lactate model, through the row as through the bundle.
    const flawFreeRow = createSepsisRowModel({ flawFree: true });
    for (const i of dropped) expect(scores.flawFree['missing-lactate'].kserve[i]).toBe(flawFreeRow.predictRow(rowOf(inputs['missing-lactate'][i]!)).score);
  });

  it('flaw (b), lactate read as mmol/L whatever the unit, cannot reach a tabular model: the row is converted by clinsim', () => {
    const { baseline, 'lactate-mg-dl': mg } = scores.flawed;
    const threshold = tasks.sepsis.defaultThreshold;
    const withLactate = Array.from({ length: N }, (_, i) => i).filter(hasLactate);
    // The bundle carries mg/dL; the flawed model reads ~9× the value and alarms.
    const flippedByBundle = withLactate.filter((i) => mg.httpJson[i]! >= threshold !== baseline.httpJson[i]! >= threshold);
    expect(flippedByBundle.length).toBeGreaterThan(withLactate.length / 4);
    // The row carries the value converted back to the column's unit: scores equal the baseline's.
    expect(mg.kserve).toEqual(baseline.kserve);
    expect(mg.mlflow).toEqual(baseline.mlflow);
  });
});

describe('the tabular routes of the reference server', () => {
  const post = (path: string, body: unknown, type = 'application/json') =>
    fetch(`${flawed.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const rows = [0, 1, 2].map((i) => inputs.baseline[i]!.features);
  const columns = [...rows[0]!.columns];
  const v2Body = (overrides: (tensor: { name: string; shape: number[]; datatype: string; data: unknown[] }, i: number) => object = (t) => t) => ({
    inputs: columns.map((name, i) => overrides({ name, shape: [1], datatype: 'FP64', data: [rows[0]!.values[i]] }, i)),
  });

  it('serve health, server and model metadata, readiness and versioned routes as the V2 protocol lays them out', async () => {
    expect(await (await fetch(`${flawed.url}/v2/health/live`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${flawed.url}/v2/health/ready`)).json()).toEqual({ ready: true });
    expect(await (await fetch(`${flawed.url}/v2`)).json()).toMatchObject({ name: expect.any(String), version: expect.any(String), extensions: [] });
    const metadata = (await (await fetch(flawed.kserveUrl)).json()) as { inputs: { name: string }[]; outputs: { name: string }[]; versions: string[] };
    expect(metadata.inputs.map((t) => t.name)).toEqual(columns);
    expect(metadata.outputs.map((t) => t.name)).toEqual(['score', 'label']);
    expect(await (await fetch(`${flawed.kserveUrl}/ready`)).json()).toEqual({ name: 'sepsis', ready: true });
    const version = metadata.versions[0]!;
    expect((await fetch(`${flawed.kserveUrl}/versions/${version}/ready`)).status).toBe(200);
    const unknownVersion = await fetch(`${flawed.kserveUrl}/versions/0.0.0/ready`);
    expect(unknownVersion.status).toBe(404);
    expect(await unknownVersion.json()).toEqual({ error: expect.stringMatching(/no version "0.0.0"/) });
    const unknownModel = await fetch(`${flawed.url}/v2/models/other`);
    expect(unknownModel.status).toBe(404);
    expect(await unknownModel.json()).toEqual({ error: expect.stringMatching(/unknown model "other"/) });
    expect((await fetch(`${flawed.url}/ping`)).status).toBe(200);
  });

  it('score a batch of rows as they score each row alone, echo the id and answer only the requested outputs', async () => {
    const single = (await scoreAll(createAdapter(Target.parse({ adapter: 'kserve', url: flawed.kserveUrl })), inputs.baseline.slice(0, 3))) as number[];
    const v2 = await post('/v2/models/sepsis/infer', {
      id: 'batch-1',
      inputs: columns.map((name, i) => ({ name, shape: [3], datatype: 'FP64', data: rows.map((r) => r.values[i]) })),
      outputs: [{ name: 'score' }],
    });
    expect(v2.status).toBe(200);
    expect(await v2.json()).toEqual({ model_name: 'sepsis', model_version: expect.any(String), id: 'batch-1', outputs: [{ name: 'score', datatype: 'FP64', shape: [3], data: single }] });
    const mlflow = await post('/invocations', { dataframe_split: { columns: [...columns].reverse(), data: rows.map((r) => [...r.values].reverse()), index: [0, 1, 2] } });
    expect(await mlflow.json()).toEqual({ predictions: single });
  });

  it.each([
    ['a datatype other than FP64', v2Body((t) => ({ ...t, datatype: 'FP32' })), /datatype FP32/],
    ['a missing input', { inputs: v2Body().inputs.slice(1) }, /missing inputs: age_years/],
    ['an unknown input', { inputs: [...v2Body().inputs, { name: 'note', shape: [1], datatype: 'FP64', data: [1] }] }, /unknown inputs: note/],
    ['shapes that disagree', v2Body((t, i) => (i === 0 ? { ...t, shape: [2], data: [1, 2] } : t)), /shape \[1\], other inputs have \[2\]/],
    ['a string cell', v2Body((t, i) => (i === 2 ? { ...t, data: ['88'] } : t)), /heart_rate: must be a finite number or null/],
    ['sex_female not 0/1', v2Body((t, i) => (i === 1 ? { ...t, data: [2] } : t)), /sex_female must be 1/],
    ['an unknown field', { ...v2Body(), model: 'sepsis' }, /not an inference request/],
    ['an unknown output', { ...v2Body(), outputs: [{ name: 'probability' }] }, /unknown output "probability"/],
    ['malformed JSON', '{"inputs": [', /not valid JSON/],
  ])('KServe V2: refuse %s with 400 { error }', async (_name, body, message) => {
    const res = await post('/v2/models/sepsis/infer', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string };
    expect(Object.keys(json)).toEqual(['error']);
    expect(json.error).toMatch(message);
  });

  it.each([
    ['the records format', { dataframe_records: [{ age_years: 60 }] }, /dataframe_split input format only/],
    ['extra params', { dataframe_split: { columns, data: [rows[0]!.values] }, params: { t: 1 } }, /dataframe_split input format only; the request has params/],
    ['a short row', { dataframe_split: { columns, data: [rows[0]!.values.slice(1)] } }, /row 0 has 12 values for 13 columns/],
    ['a repeated column', { dataframe_split: { columns: [...columns, 'gcs'], data: [[...rows[0]!.values, 15]] } }, /column "gcs" appears twice/],
    ['no rows', { dataframe_split: { columns, data: [] } }, /no rows/],
    ['malformed JSON', '{"dataframe_split": ', /not valid JSON/],
  ])('MLflow: refuse %s with 400 { error_code, message }', async (_name, body, message) => {
    const res = await post('/invocations', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error_code: string; message: string };
    expect(json.error_code).toMatch(/^(BAD_REQUEST|MALFORMED_REQUEST)$/);
    expect(json.message).toMatch(message);
  });

  it('refuse other media types with 415 in each protocol\'s error body', async () => {
    const csv = await post('/invocations', 'age_years\n60\n', 'text/csv');
    expect(csv.status).toBe(415);
    expect(await csv.json()).toMatchObject({ error_code: 'BAD_REQUEST' });
    const fhir = await post('/v2/models/sepsis/infer', v2Body(), 'application/fhir+json');
    expect(fhir.status).toBe(415);
    expect(await fhir.json()).toEqual({ error: expect.stringMatching(/application\/json/) });
  });
});
