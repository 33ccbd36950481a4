import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinsim } from './cli.ts';

async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

describe('clinsim generate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-gen-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes byte-identical NDJSON for the same seed, and patient 5 does not depend on the cohort size', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const small = join(dir, 'small');
    for (const [out, size] of [[a, '1000'], [b, '1000'], [small, '10']] as const) {
      const r = await clinsim(['generate', '--task', 'sepsis', '--size', size, '--seed', '7', '--format', 'ndjson', '--out', out]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const first = await files(a);
    expect(Object.keys(first)).toContain('Patient.ndjson');
    expect(Object.keys(first)).toContain('Observation.ndjson');
    expect(await files(b)).toEqual(first);

    const patientsLarge = first['Patient.ndjson']!.trimEnd().split('\n');
    const patientsSmall = (await files(small))['Patient.ndjson']!.trimEnd().split('\n');
    expect(patientsLarge).toHaveLength(1000);
    expect(patientsSmall).toHaveLength(10);
    expect(patientsSmall[5]).toBe(patientsLarge[5]);
  });

  it('writes one Bundle per patient with --format bundle', async () => {
    const out = join(dir, 'bundles');
    const r = await clinsim(['generate', '--task', 'sepsis', '--size', '3', '--seed', '7', '--format', 'bundle', '--out', out]);
    expect(r.code).toBe(0);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(['bundle-000000.json', 'bundle-000001.json', 'bundle-000002.json']);
    const bundle = JSON.parse(await readFile(join(out, names[1]!), 'utf8')) as { resourceType: string; entry: unknown[] };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry.length).toBeGreaterThan(10);
  });

  it('writes the tabular view with --format csv, for every task', async () => {
    const out = join(dir, 'csv');
    const r = await clinsim(['generate', '--task', 'sepsis', '--size', '4', '--seed', '7', '--format', 'csv', '--out', out]);
    expect(r.code).toBe(0);
    const lines = (await readFile(join(out, 'sepsis.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'case,age_years,sex_female,heart_rate,resp_rate,temp_c,sbp_mmhg,spo2_pct,gcs,lactate_mmol_l,wbc_10e9_l,creatinine_mg_dl,platelets_10e9_l,bilirubin_mg_dl,label,risk',
    );
    expect(lines).toHaveLength(5);
    expect(lines[3]!.split(',')[0]).toBe('2');
    for (const task of ['note-triage', 'med-safety']) {
      const t = await clinsim(['generate', '--task', task, '--size', '3', '--seed', '7', '--format', 'csv', '--out', join(out, task)]);
      expect(t.code).toBe(0);
      expect((await readFile(join(out, task, `${task}.csv`), 'utf8')).trimEnd().split('\n')).toHaveLength(4);
    }
  });

  it('rejects a bad format or a missing seed with exit 2', async () => {
    const bad = await clinsim(['generate', '--task', 'sepsis', '--size', '3', '--seed', '7', '--format', 'xml', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format');
    const missing = await clinsim(['generate', '--task', 'sepsis', '--size', '3', '--out', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--seed');
  });
});
