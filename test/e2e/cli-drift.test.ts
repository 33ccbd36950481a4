import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FeatureDriftReport } from '../../simulator/metrics/report-types.ts';
import { clinsim } from './cli.ts';

const SYNTHEA = new URL('../../../shared/fixtures/synthea-bulk-10/', import.meta.url).pathname;
// Above 1,000 reference rows Evidently's tests are distances (normed Wasserstein, Jensen–Shannon),
// which do not flag two samples of one population 5% of the time as p-values would.
const SIZE = '1200';

const DriftFile = z.object({
  task: z.string(),
  reference: z.object({ path: z.string(), format: z.enum(['csv', 'fhir']), rows: z.number() }),
  current: z.object({ path: z.string(), format: z.enum(['csv', 'fhir']), rows: z.number() }),
  features: z.array(FeatureDriftReport),
  driftShare: z.number().nullable(),
  drifted: z.number(),
  decided: z.number(),
  notAvailable: z.number(),
  datasetDrift: z.boolean().nullable(),
});

describe('clinsim drift, as a user runs it', () => {
  let dir: string;
  const csv = (name: string) => join(dir, name, 'sepsis.csv');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-drift-'));
    const generate = (name: string, ...extra: string[]) =>
      clinsim(['generate', '--task', 'sepsis', '--size', SIZE, '--format', 'csv', '--out', join(dir, name), '--quiet', ...extra]);
    const results = await Promise.all([generate('a', '--seed', '1'), generate('b', '--seed', '2'), generate('prevalence', '--seed', '3', '--prevalence', '0.4')]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    // An older population: the seed-2 cohort with every patient 15 years older, all else equal.
    const [header, ...rows] = (await readFile(csv('b'), 'utf8')).trimEnd().split('\n');
    const age = header!.split(',').indexOf('age_years');
    const older = rows.map((row) => row.split(',').map((cell, i) => (i === age ? String(Number(cell) + 15) : cell)).join(','));
    await writeFile(join(dir, 'older.csv'), [header, ...older].join('\n') + '\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function drift(reference: string, current: string, ...extra: string[]) {
    const out = join(dir, `drift-${Math.random().toString(36).slice(2)}.json`);
    const result = await clinsim(['drift', '--reference', reference, '--current', current, '--out', out, ...extra]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return { result, file: DriftFile.parse(JSON.parse(await readFile(out, 'utf8'))) };
  }
  const drifted = (file: z.infer<typeof DriftFile>) => file.features.filter((f) => f.drift).map((f) => f.name);

  it('finds no drift between two cohorts of the same population (seeds 1 and 2)', async () => {
    const { result, file } = await drift(csv('a'), join(dir, 'b'));
    expect(file.task).toBe('sepsis');
    expect(file.reference).toEqual({ path: csv('a'), format: 'csv', rows: 1200 });
    expect(file.current.rows).toBe(1200);
    expect(file.features.map((f) => f.name)).toEqual([
      'age_years', 'sex_female', 'heart_rate', 'resp_rate', 'temp_c', 'sbp_mmhg', 'spo2_pct', 'gcs',
      'lactate_mmol_l', 'wbc_10e9_l', 'creatinine_mg_dl', 'platelets_10e9_l', 'bilirubin_mg_dl',
    ]);
    expect(drifted(file)).toEqual([]);
    expect(file).toMatchObject({ driftShare: 0, drifted: 0, decided: 13, notAvailable: 0, datasetDrift: false });
    for (const f of file.features) {
      expect(f.kind).toBe('numeric');
      expect(f.ks).not.toBeNull();
      expect(f.psi).not.toBeNull();
    }
    // The table: one line per feature, and the share.
    expect(result.stdout).toMatch(/^age_years\s+numeric\s+1200\/1200/m);
    expect(result.stdout).toContain('drift share: 0 of 13 features (0.0%); dataset drift: no');
  });

  it('flags the age of an older population, and only the age', async () => {
    const { result, file } = await drift(csv('a'), join(dir, 'older.csv'));
    expect(drifted(file)).toEqual(['age_years']);
    const age = file.features[0]!;
    expect(age.test).toBe('wasserstein');
    expect(age.wasserstein!).toBeGreaterThan(0.5);
    expect(age.psi!).toBeGreaterThan(0.2);
    expect(file.driftShare).toBeCloseTo(1 / 13, 12);
    expect(result.stdout).toMatch(/^age_years .*DRIFT$/m);
  });

  it('sees a pure label shift (prevalence) as no input drift: the generator changes only the truth', async () => {
    const { file } = await drift(csv('a'), join(dir, 'prevalence'));
    expect(drifted(file)).toEqual([]);
  });

  it('reads FHIR data (Synthea, no Observations): features with no data are marked, not judged', async () => {
    const { result, file } = await drift(SYNTHEA, SYNTHEA);
    expect(file.reference).toMatchObject({ format: 'fhir', rows: 13 });
    const byName = new Map(file.features.map((f) => [f.name, f]));
    expect(byName.get('age_years')).toMatchObject({ drift: false, n: { reference: 13, current: 13 } });
    expect(byName.get('sex_female')).toMatchObject({ drift: false });
    expect(byName.get('lactate_mmol_l')).toMatchObject({ drift: null, test: null, psi: null, n: { reference: 0, current: 0 }, missing: { reference: 13, current: 13 } });
    expect(file).toMatchObject({ drifted: 0, decided: 2, notAvailable: 11, driftShare: 0 });
    expect(result.stdout).toMatch(/^lactate_mmol_l .*no data$/m);
    expect(result.stdout).toContain('11 feature(s) without data on a side: not judged');

    const mixed = await drift(csv('a'), SYNTHEA);
    expect(mixed.file.current).toMatchObject({ format: 'fhir', rows: 13 });
    expect(mixed.file.notAvailable).toBe(11);
  });

  it('answers bad input with exit 2: missing flags, a table of another task, unreadable data', async () => {
    const noCurrent = await clinsim(['drift', '--reference', csv('a')]);
    expect(noCurrent.code).toBe(2);
    expect(noCurrent.stderr).toContain('--current');
    const wrongTask = await clinsim(['drift', '--reference', csv('a'), '--current', csv('b'), '--task', 'med-safety']);
    expect(wrongTask.code).toBe(2);
    expect(wrongTask.stderr).toContain('not a med-safety table');
    const nothing = await clinsim(['drift', '--reference', join(dir, 'nope'), '--current', csv('b')]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain(join(dir, 'nope'));
  });
});
