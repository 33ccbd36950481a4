import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Report } from '../../simulator/metrics/report-types.ts';
import { clinsim } from './cli.ts';

const SYNTHEA = new URL('../../../shared/fixtures/synthea-bulk-10/', import.meta.url).pathname;

describe('clinsim run on a cohort imported from FHIR Bulk Data (Synthea)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-import-'));
    await writeFile(
      join(dir, 'synthea.scenario.ts'),
      `import { defineScenario, missing } from 'clinsim';
export default defineScenario({
  name: 'synthea-import',
  task: 'sepsis',
  cohort: { seed: 1, source: { path: ${JSON.stringify(SYNTHEA)} } },
  arms: { baseline: [], 'no-lactate': [missing.mcar({ loinc: '2524-7', rate: 1 })] },
});
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('needs a pseudonym key, then runs every patient without inventing truth or leaking identifiers', async () => {
    const scenario = join(dir, 'synthea.scenario.ts');
    const refused = await clinsim(['run', scenario, '--out', join(dir, 'no-key')], { env: { CLINSIM_PSEUDONYM_SALT: undefined } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('CLINSIM_PSEUDONYM_SALT');

    const out = join(dir, 'run');
    const result = await clinsim(['run', scenario, '--out', out, '--quiet'], { env: { CLINSIM_PSEUDONYM_SALT: 'test-key-91f2' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const patients = (await readFile(join(SYNTHEA, 'Patient.000.ndjson'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as {
      id: string;
      name?: Array<{ family?: string; given?: string[] }>;
      identifier?: Array<{ value?: string }>;
    });
    const report = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    const baseline = report.scenarios[0]!.arms[0]!;
    expect(baseline.cases).toBe(patients.length);
    // No truth can be derived from Synthea data: label metrics are not available, never invented.
    expect(baseline.metrics.auroc.value).toBeNull();
    expect(baseline.prevalence).toBeNull();

    const secrets = new Set<string>();
    for (const p of patients) {
      secrets.add(p.id);
      for (const id of p.identifier ?? []) if (id.value && id.value.length > 5) secrets.add(id.value);
      for (const n of p.name ?? []) if (n.family && n.family.length > 3) secrets.add(n.family);
    }
    secrets.add('test-key-91f2');
    for (const file of await readdir(out)) {
      const text = await readFile(join(out, file), 'utf8');
      for (const secret of secrets) expect(text.includes(secret), `${file} contains ${secret}`).toBe(false);
    }
  });

  it('names the file and line of malformed input, with exit 2', async () => {
    const data = join(dir, 'broken');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(data);
    const patient = (await readFile(join(SYNTHEA, 'Patient.000.ndjson'), 'utf8')).split('\n')[0];
    await writeFile(join(data, 'Patient.000.ndjson'), `${patient}\n{"resourceType": "Patient", "id": \n`);
    const scenario = join(dir, 'broken.scenario.ts');
    await writeFile(
      scenario,
      `export default { name: 'broken', task: 'sepsis', cohort: { seed: 1, source: { path: './broken' } }, arms: { baseline: [] } };\n`,
    );
    const result = await clinsim(['run', scenario, '--out', join(dir, 'broken-run')], { env: { CLINSIM_PSEUDONYM_SALT: 'k' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Patient\.000\.ndjson:2/);
    // Nothing is left behind that could pass for a run.
    expect(await readdir(join(dir, 'broken-run')).catch(() => 'absent')).toBe('absent');
  });
});
