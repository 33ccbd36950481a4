import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { Report } from '../../simulator/metrics/report-types.ts';
import { buildRun } from '../fixtures/reports/build-run.ts';
import { clinsim } from './cli.ts';

const XSD = new URL('../fixtures/junit/JUnit.xsd', import.meta.url);

describe('clinsim compare, as a user runs it', () => {
  let dir: string;
  let base: Report;
  const file = (name: string) => join(dir, name);
  const write = (name: string, report: unknown) => writeFile(file(name), JSON.stringify(report, null, 2));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-compare-'));
    base = buildRun().report;
    await write('base.json', base);
    const lower = structuredClone(base);
    lower.scenarios[0]!.arms[0]!.metrics.auroc.value = base.scenarios[0]!.arms[0]!.metrics.auroc.value! - 0.1;
    await write('lower.json', lower);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 comparing a report with itself', async () => {
    const result = await clinsim(['compare', file('base.json'), file('base.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sepsis-demo (sepsis): 0 of');
    expect(result.stdout).toContain('Repeat stability: not measured');
    expect(result.stdout).toContain('baseline: no regression');
  });

  it('exits 1 when AUROC dropped by more than its tolerance, naming the metric; writes Markdown on request', async () => {
    const auroc = base.scenarios[0]!.arms[0]!.metrics.auroc.value!;
    const result = await clinsim(['compare', file('base.json'), file('lower.json'), '--markdown', file('compare.md')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('baseline: 1 regression:');
    expect(result.stdout).toContain(`auroc[baseline] sepsis-demo: ${auroc.toFixed(3)} → ${(auroc - 0.1).toFixed(3)} (−0.100, tolerance 0.02`);
    expect(await readFile(file('compare.md'), 'utf8')).toContain('## Baseline comparison: ❌ 1 regression');

    // A looser tolerance for that one figure lets it through.
    const loose = await clinsim(['compare', file('base.json'), file('lower.json'), '--tolerance', 'auroc[baseline]=0.2']);
    expect(loose.code).toBe(0);
  });

  it('exits 2 on a missing file, a file that is not a report, and reports with no scenario in common', async () => {
    const missing = await clinsim(['compare', file('base.json'), file('nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${file('nope.json')}: cannot read report (ENOENT)`);

    await writeFile(file('broken.json'), '{ "schemaVersion": 1, ');
    const broken = await clinsim(['compare', file('broken.json'), file('base.json')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${file('broken.json')}: not a report: invalid JSON`);

    const wrong = structuredClone(base) as unknown as { scenarios: { arms: { metrics: { auroc: unknown } }[] }[] };
    wrong.scenarios[0]!.arms[0]!.metrics.auroc = 'high';
    await write('wrong.json', wrong);
    const invalid = await clinsim(['compare', file('base.json'), file('wrong.json')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${file('wrong.json')}: scenarios[0].arms[0].metrics.auroc:`);

    await write('other.json', buildRun({ scenario: 'other-model' }).report);
    const apart = await clinsim(['compare', file('base.json'), file('other.json')]);
    expect(apart.code).toBe(2);
    expect(apart.stderr).toContain('have no scenario in common');
    expect(apart.stderr).toContain('has sepsis-demo (sepsis)');
    expect(apart.stderr).toContain('has other-model (sepsis)');

    const tolerance = await clinsim(['compare', file('base.json'), file('base.json'), '--tolerance', 'aurok=0.1']);
    expect(tolerance.code).toBe(2);
    expect(tolerance.stderr).toContain('unknown metric "aurok"');

    const one = await clinsim(['compare', file('base.json')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('expected two report files');
  }, 180_000);
});

describe('clinsim run --baseline', () => {
  let dir: string;
  const scenario = () => join(dir, 'gateless.scenario.ts');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-baseline-'));
    // No gates: the exit code says only what the comparison found.
    await writeFile(
      scenario(),
      `import { defineScenario, shift } from 'clinsim';
export default defineScenario({
  name: 'gateless', task: 'sepsis', cohort: { size: 200, seed: 20261124 },
  arms: { baseline: [], 'lactate-mg-dl': [shift.units({ loinc: '2524-7', to: 'mg/dL' })] },
});
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validates the baseline before the run starts (exit 2, no run folder)', async () => {
    const out = join(dir, 'never');
    const result = await clinsim(['run', scenario(), '--out', out, '--baseline', join(dir, 'nope.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.json: cannot read report (ENOENT)');
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);

    const apart = join(dir, 'apart.json');
    await writeFile(apart, JSON.stringify(buildRun({ scenario: 'other-model' }).report));
    const other = await clinsim(['run', scenario(), '--out', out, '--baseline', apart]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('have no scenario in common');
  }, 120_000);

  it('passes against its own earlier report and fails, showing it, when the baseline was better', async () => {
    const first = join(dir, 'first');
    expect((await clinsim(['run', scenario(), '--out', first, '--quiet'])).code).toBe(0);
    const report = Report.parse(JSON.parse(await readFile(join(first, 'report.json'), 'utf8')));

    // The same seeded cohort through the same deterministic model: only latency differs between two
    // runs, and on a shared 2-core machine it may differ by more than its default tolerance.
    const same = await clinsim(['run', scenario(), '--out', join(dir, 'same'), '--quiet', '--baseline', join(first, 'report.json'), '--tolerance', 'latency.p95=1000']);
    expect(same.stdout).toContain('baseline: no regression');
    expect(same.code).toBe(0);

    // A baseline whose AUROC was 0.1 higher, with a CI of ±0.03 around it: this run regressed.
    const better = structuredClone(report);
    const auroc = better.scenarios[0]!.arms[0]!.metrics.auroc;
    const higher = auroc.value! + 0.1;
    better.scenarios[0]!.arms[0]!.metrics.auroc = { value: higher, ci: [higher - 0.03, Math.min(1, higher + 0.03)] };
    await writeFile(join(dir, 'better.json'), JSON.stringify(better));
    const out = join(dir, 'regressed');
    const result = await clinsim(['run', scenario(), '--out', out, '--quiet', '--baseline', join(dir, 'better.json'), '--tolerance', 'latency.p95=1000']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('verdict: PASSED');
    expect(result.stdout).toMatch(/auroc\[baseline\] gateless: 0\.\d{3} → 0\.\d{3} \(−0\.\d{3}, tolerance 0\.02, outside the base's 95% CI/);
    expect(result.stdout).toContain('verdict: FAILED (a regression against the baseline)');

    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(['compare.md', 'compare.json', 'junit.xml', 'summary.md', 'report.json']));
    const comparison = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8')) as { regressions: { name: string }[] };
    expect(comparison.regressions.map((r) => r.name)).toEqual(['auroc[baseline]']);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('## Baseline comparison: ❌ 1 regression');
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="gateless vs baseline"');
    const valid = await validateXML({ xml: [{ fileName: 'junit.xml', contents: junit }], schema: [await readFile(XSD, 'utf8')] });
    expect(valid.errors).toEqual([]);
  }, 300_000);
});
