import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Report } from '../../simulator/metrics/report-types.ts';
import { clinsim } from './cli.ts';

describe('clinsim run, as a user runs it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-e2e-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the bundled scenarios against the reference models and exposes their flaws', async () => {
    const out = join(dir, 'default');
    const result = await clinsim(['run', '--size', '400', '--out', out, '--resamples', '200'], { cwd: dir });
    // The reference model's documented flaws fail gates: exit 1, with the table on stdout.
    expect(result.stderr).not.toMatch(/could not run/);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/sepsis-shift \(sepsis\)/);
    for (const arm of ['baseline', 'older-population', 'lactate-mg-dl', 'missing-lactate']) expect(result.stdout).toContain(arm);
    expect(result.stdout).toContain('verdict: FAILED');
    expect((await readdir(out)).sort()).toEqual(['junit.xml', 'manifest.json', 'report.html', 'report.json', 'results.jsonl', 'summary.md']);

    const report = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    expect(report.scenarios.map((x) => x.name)).toEqual(['med-safety', 'note-triage', 'sepsis-shift']);
    const s = report.scenarios.find((x) => x.name === 'sepsis-shift')!;
    const arm = (name: string) => s.arms.find((a) => a.name === name)!;
    const gate = (name: string) => s.gates.find((g) => g.name === name)!;
    expect(gate('auroc[baseline]').pass).toBe(true);
    expect(gate('flipRate[lactate-mg-dl]').pass).toBe(false);
    expect(gate('sensitivity.drop[missing-lactate]').pass).toBe(false);
    // The baseline has no failure beyond what the flaws explain: no invariance or critical-miss there.
    expect(arm('baseline').safety.failures).toBe(0);
    // Lactate is measured for about a third of patients; most of those flip when it arrives in mg/dL.
    expect(arm('lactate-mg-dl').safety.byCheck.invariance!.rate).toBeGreaterThan(0.5);
    // The triage model obeys injected instructions and misses some negations; the CDS service reads
    // ingredient-level RxNorm codes only, so it misses the sulfamethoxazole/trimethoprim conflicts.
    const triage = report.scenarios.find((x) => x.name === 'note-triage')!;
    const triageArm = (name: string) => triage.arms.find((a) => a.name === name)!;
    expect(triageArm('baseline').safety.failures).toBe(0);
    expect(triageArm('injection-downgrade').safety.byCheck['injection-success']!.rate).toBeGreaterThan(0.9);
    expect(triageArm('injection-downgrade').safety.byCheck['under-triage']!.count).toBeGreaterThan(0);
    expect(triageArm('negation').safety.byCheck['negation-failure']!.count).toBeGreaterThan(0);
    const med = report.scenarios.find((x) => x.name === 'med-safety')!;
    const medBaseline = med.arms.find((a) => a.name === 'baseline')!;
    expect(medBaseline.safety.byCheck['missed-critical-alert']!.count).toBeGreaterThan(0);
    expect(medBaseline.alerts!.sensitivity.value!).toBeLessThan(0.95);
    expect(medBaseline.safety.byCheck['false-alert']!.count).toBe(0);

    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('| flipRate[lactate-mg-dl] | <= 0.02 |');
  });

  it('answers a bad scenario file with exit 2 and the field path of the problem', async () => {
    const file = join(dir, 'bad.scenario.ts');
    await writeFile(
      file,
      `import { defineScenario, shift } from 'clinsim';
export default defineScenario({
  name: 'bad',
  task: 'sepsis',
  cohort: { size: 10, seed: 1 },
  arms: { baseline: [], odd: [shift.units({ loinc: '2524-7', to: 'furlongs' as 'mg/dL' })] },
});
`,
    );
    const result = await clinsim(['run', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: arms.odd[0].params.to:`);
    expect(result.stderr).toContain('mg/dL');
  });

  it('answers a scenario that throws on import, and unknown flags, with exit 2', async () => {
    const file = join(dir, 'throws.scenario.ts');
    await writeFile(file, `throw new Error('boom at import');\nexport default {};\n`);
    const thrown = await clinsim(['run', file], { cwd: dir });
    expect(thrown.code).toBe(2);
    expect(thrown.stderr).toContain('failed to load: boom at import');

    const flag = await clinsim(['run', '--sizes', '3'], { cwd: dir });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--sizes/);

    const size = await clinsim(['run', '--size', '-4'], { cwd: dir });
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--size');
  });

  it('reads the target URL from the environment and refuses an unset variable', async () => {
    const file = join(dir, 'env.scenario.ts');
    await writeFile(
      file,
      `import { defineScenario } from 'clinsim';
export default defineScenario({
  name: 'env', task: 'sepsis', cohort: { size: 5, seed: 1 },
  target: { adapter: 'http-json', url: '\${MODEL_URL}/predict' },
  arms: { baseline: [] },
});
`,
    );
    const result = await clinsim(['run', file], { cwd: dir, env: { MODEL_URL: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('target.url: environment variable MODEL_URL is not set');
  });

  it('exits 2 when --out already holds a run, and 3 when the run cannot be carried out', async () => {
    // Naming a finished run as --out is a usage mistake: choose another folder or --resume it.
    const occupied = await clinsim(['run', '--size', '3', '--out', join(dir, 'default')], { cwd: dir });
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toContain('already holds a run');
    // A run folder that cannot be created (its parent is a file) stops the run: exit 3.
    const result = await clinsim(['run', '--size', '3', '--out', join(dir, 'default', 'report.json', 'run')], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('ENOTDIR');
  });
});
