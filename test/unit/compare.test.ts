/**
 * Baseline comparison (reports/compare*.ts) over reports aggregated by the real RunAggregator: the
 * regression rule (direction, tolerance, base CI), tolerance overrides, and what is shown.
 */
import { describe, expect, it } from 'vitest';
import { compareFigure, compareReports, sharesScenario } from '../../reports/compare.ts';
import { renderCompareConsole, renderCompareMarkdown, regressionLine, stabilityLines } from '../../reports/compare-render.ts';
import { parseToleranceOverrides, toleranceFor } from '../../reports/compare-tolerance.ts';
import { specOf } from '../../reports/compare-metrics.ts';
import type { Report } from '../../simulator/metrics/report-types.ts';
import { buildRun } from '../fixtures/reports/build-run.ts';

const base = buildRun().report;
const baseArm = base.scenarios[0]!.arms[0]!;
const auroc = baseArm.metrics.auroc;

/** A copy of the base report with the baseline arm's AUROC point moved to `value` (its CI kept). */
function withAuroc(value: number): Report {
  const r = structuredClone(base);
  r.scenarios[0]!.arms[0]!.metrics.auroc.value = value;
  return r;
}

const aurocRow = (r: Report, options = {}) => compareReports(base, r, options).scenarios[0]!.metrics.find((m) => m.name === 'auroc[baseline]')!;

describe('compareReports', () => {
  it('finds nothing moved when a report is compared with itself', () => {
    const c = compareReports(base, structuredClone(base));
    expect(c.regressions).toEqual([]);
    expect(c.scenarios[0]!.metrics.length).toBeGreaterThan(20);
    expect(c.scenarios[0]!.metrics.every((m) => m.verdict === 'same')).toBe(true);
    expect(renderCompareConsole(c)).toContain('sepsis-demo (sepsis): 0 of');
    expect(renderCompareConsole(c)).toContain('baseline: no regression');
  });

  it('calls a drop beyond the tolerance and outside the base CI a regression, and names it', () => {
    const lower = auroc.ci![0] - 0.01;
    const row = aurocRow(withAuroc(lower));
    expect(row).toMatchObject({ verdict: 'regression', regression: true, beyondTolerance: true, beyondCi: true });
    expect(row.delta).toBeCloseTo(lower - auroc.value!, 12);
    const drop = (auroc.value! - lower).toFixed(3);
    expect(regressionLine(row)).toBe(
      `auroc[baseline] sepsis-demo: ${auroc.value!.toFixed(3)} → ${lower.toFixed(3)} (−${drop}, tolerance 0.02, outside the base's 95% CI [${auroc.ci![0].toFixed(3)}, ${auroc.ci![1].toFixed(3)}])`,
    );
    expect(compareReports(base, withAuroc(lower)).regressions.map((m) => m.name)).toEqual(['auroc[baseline]']);
  });

  it('on the same patients, calls any drop beyond tolerance a regression, even inside the base CI', () => {
    const inside = auroc.value! - 0.03;
    expect(inside).toBeGreaterThan(auroc.ci![0]);
    expect(aurocRow(withAuroc(inside))).toMatchObject({ verdict: 'regression', beyondTolerance: true, beyondCi: false, ciConsulted: false });
  });

  it('on other patients, or with flaky answers, also asks the drop to leave the base CI, unless judged by tolerance only', () => {
    const inside = auroc.value! - 0.03;
    const otherSeed = withAuroc(inside);
    otherSeed.scenarios[0]!.seed = 8;
    expect(aurocRow(otherSeed)).toMatchObject({ verdict: 'worse', regression: false, beyondTolerance: true, beyondCi: false, ciConsulted: true });
    expect(aurocRow(otherSeed, { toleranceOnly: true })).toMatchObject({ verdict: 'regression', ciConsulted: false });
    const c = compareReports(base, otherSeed);
    expect(renderCompareConsole(c)).toContain('Different patients in the two runs: another seed (7, 8); a move must also leave the base run\'s 95% CI.');
    expect(renderCompareConsole(c)).toMatch(/auroc\[baseline\] .* worse, within the base CI/);

    const newer = withAuroc(inside);
    newer.run.toolVersion = '0.2.0';
    expect(aurocRow(newer).ciConsulted).toBe(true);

    const flaky = withAuroc(inside);
    flaky.scenarios[0]!.arms[0]!.stochasticity = 0.04;
    expect(aurocRow(flaky)).toMatchObject({ verdict: 'worse', ciConsulted: true });
    // The other arm's answers were steady: its figures are still judged by tolerance alone.
    const other = compareReports(base, flaky).scenarios[0]!.metrics.find((m) => m.name === 'auroc[lactate-mg-dl]')!;
    expect(other.ciConsulted).toBe(false);

    const perturbed = withAuroc(inside);
    perturbed.scenarios[0]!.arms[0]!.perturbations = [{ kind: 'shift.noise', description: 'noise', params: { cv: 0.1 }, expectation: { kind: 'degrading' } }];
    expect(aurocRow(perturbed)).toMatchObject({ verdict: 'worse', ciConsulted: true });
    expect(compareReports(base, perturbed).scenarios[0]!.notes).toContain('perturbations changed in baseline: other inputs, so a move there must also leave the base CI');
  });

  it('does not call a drop within tolerance a regression, and a rise is better', () => {
    expect(aurocRow(withAuroc(auroc.value! - 0.015))).toMatchObject({ verdict: 'worse', beyondTolerance: false, regression: false });
    expect(aurocRow(withAuroc(auroc.value! + 0.2))).toMatchObject({ verdict: 'better', regression: false });
  });

  it('knows which way is better for each figure', () => {
    const fig = (value: number) => ({ value, ci: null });
    expect(compareFigure('s', 'brier', 'a', fig(0.05), fig(0.2))!.verdict).toBe('regression');
    expect(compareFigure('s', 'brier', 'a', fig(0.2), fig(0.05))!.verdict).toBe('better');
    expect(compareFigure('s', 'flipRate', 'a', fig(0.01), fig(0.1))!.verdict).toBe('regression');
    expect(compareFigure('s', 'safety.critical-miss.rate', 'a', fig(0), fig(0.01))!.verdict).toBe('regression');
    expect(compareFigure('s', 'macroF1', 'a', fig(0.9), fig(0.8))!.verdict).toBe('regression');
    expect(compareFigure('s', 'load.throughput', 'p', fig(100), fig(85))!.verdict).toBe('regression');
    expect(compareFigure('s', 'load.throughput', 'p', fig(100), fig(95))!.verdict).toBe('worse');
    // Calibration slope: closer to 1 is better, whichever side.
    expect(compareFigure('s', 'calibrationSlope', 'a', fig(1.4), fig(0.9))!.verdict).toBe('better');
    expect(compareFigure('s', 'calibrationSlope', 'a', fig(1.05), fig(0.7))!.verdict).toBe('regression');
    expect(compareFigure('s', 'calibrationSlope', 'a', fig(1.2), fig(0.8))!.verdict).toBe('changed');
  });

  it('gives latency a relative tolerance with a floor of a few milliseconds', () => {
    const fig = (value: number) => ({ value, ci: null });
    expect(compareFigure('s', 'latency.p95', 'a', fig(2), fig(11.5))!.verdict).toBe('worse'); // +9.5 ms < 10 ms
    expect(compareFigure('s', 'latency.p95', 'a', fig(2), fig(12.5))!.verdict).toBe('regression');
    expect(compareFigure('s', 'latency.p95', 'a', fig(400), fig(590))!.verdict).toBe('worse'); // +47.5% < 50%
    expect(compareFigure('s', 'latency.p95', 'a', fig(400), fig(610))!.verdict).toBe('regression');
  });

  it('counts a figure that is no longer available as a regression, and a new one as not', () => {
    const gone = compareFigure('s', 'auroc', 'a', { value: 0.8, ci: [0.7, 0.9] }, { value: null, ci: null })!;
    expect(gone).toMatchObject({ verdict: 'gone', regression: true });
    expect(regressionLine(gone)).toBe('auroc[a] s: 0.800 → n/a (no longer available)');
    expect(compareFigure('s', 'auroc', 'a', { value: null, ci: null }, { value: 0.8, ci: null })).toMatchObject({ verdict: 'new', regression: false });
    expect(compareFigure('s', 'auroc', 'a', { value: null, ci: null }, { value: null, ci: null })).toBeUndefined();
  });

  it('shows only figures that moved, with tolerance and CI verdicts as columns', () => {
    const next = withAuroc(auroc.value! - 0.015);
    const text = renderCompareConsole(compareReports(base, next, { baseFile: 'a.json', nextFile: 'b.json' }));
    expect(text).toMatch(/sepsis-demo \(sepsis\): 1 of \d+ figures moved\nSame patients in both runs \(seed, size, clinsim version\): a move beyond tolerance is the model's\./);
    expect(text).toContain('figure           base   new    change  tolerance  beyond tol.  base 95% CI');
    expect(text).toMatch(/auroc\[baseline\] +0\.\d{3} +0\.\d{3} +−0\.015 +0\.02 +no +\[0\.\d{3}, 0\.\d{3}\] +no +worse, within tolerance/);
    expect(text).not.toContain('brier[baseline]');
    const md = renderCompareMarkdown(compareReports(base, next));
    expect(md).toContain('## Baseline comparison: ✅ no regression');
    expect(md).toContain('| figure | base | new | change | tolerance | beyond tol. | base 95% CI | beyond CI | verdict |');
  });

  it('shows flaky answers from both runs, and says when they were not measured', () => {
    const once = compareReports(base, base).scenarios[0]!;
    expect(stabilityLines(once)).toEqual([expect.stringContaining('not measured (1 repeat in both runs)')]);
    const flaky = buildRun({ repeats: 3, flaky: 0.2 }).report;
    const steady = buildRun({ repeats: 3 }).report;
    const s = compareReports(steady, flaky).scenarios[0]!;
    const lines = stabilityLines(s);
    expect(lines[1]).toBe('  baseline: 0.0% of cases (3 repeats) → ' + `${(flaky.scenarios[0]!.arms[0]!.stochasticity! * 100).toFixed(1)}% of cases (3 repeats)`);
    expect(lines.at(-1)).toBe("  flaky answers in baseline, lactate-mg-dl: part of any move there can be the endpoint's randomness, so it must also leave the base CI");
    expect(s.metrics.find((m) => m.name === 'stochasticity[baseline]')!.verdict).toBe('regression');
  });

  it('notes another cohort, lists gates whose verdict changed, and leaves out scenarios of one run only', () => {
    const other = buildRun({ seed: 9, gates: { 'auroc[baseline]': '>= 0.99' } }).report;
    const c = compareReports(base, other);
    expect(c.scenarios[0]!.notes).toEqual(['seed differs: 7 in the base, 9 in the new run']);
    expect(c.scenarios[0]!.pairing).toEqual({ paired: false, why: 'another seed (7, 9)' });
    // The reference models' new ephemeral port is the same target; another host is not.
    const moved = (url: string) => {
      const r = structuredClone(base);
      r.scenarios[0]!.target.url = url;
      return compareReports(base, r).scenarios[0]!.notes;
    };
    expect(moved('http://127.0.0.1:41234/predict')).toEqual([]);
    expect(moved('http://10.0.0.5:9/predict')).toEqual(['target differs: http-json http://127.0.0.1/predict in the base, http-json http://10.0.0.5:9/predict in the new run']);
    expect(c.scenarios[0]!.gates).toContainEqual({ name: 'auroc[baseline]', expression: '>= 0.99', base: null, next: false });
    expect(c.scenarios[0]!.gates).toContainEqual({ name: 'flipRate[lactate-mg-dl]', expression: '<= 0.02', base: false, next: null });

    const renamed = buildRun({ scenario: 'elsewhere' }).report;
    const none = compareReports(base, renamed);
    expect(none.scenarios).toEqual([]);
    expect(none.onlyInBase).toEqual(['sepsis-demo']);
    expect(none.onlyInNext).toEqual(['elsewhere']);
    expect(sharesScenario(base.scenarios, renamed.scenarios)).toBe(false);
    expect(sharesScenario(base.scenarios, [{ name: 'sepsis-demo', task: 'note-triage' }])).toBe(false);
    expect(sharesScenario(base.scenarios, [{ name: 'sepsis-demo', task: 'sepsis' }])).toBe(true);
  });
});

describe('tolerances', () => {
  const known = (m: string) => specOf(m) !== undefined;

  it('parses absolute and relative overrides, and refuses unknown metrics and bad values', () => {
    const { overrides } = parseToleranceOverrides(['auroc=0.05', 'latency.p95=10%', 'flipRate[units]=0', 'safety.*=.01'], known);
    expect(Object.fromEntries(overrides!)).toEqual({
      auroc: { abs: 0.05, rel: 0 },
      'latency.p95': { abs: 0, rel: 0.1 },
      'flipRate[units]': { abs: 0, rel: 0 },
      'safety.*': { abs: 0.01, rel: 0 },
    });
    expect(parseToleranceOverrides(['aurok=0.05'], known).error).toBe('"aurok=0.05": unknown metric "aurok"');
    expect(parseToleranceOverrides(['auroc'], known).error).toMatch(/expected metric=value/);
    expect(parseToleranceOverrides(['auroc=-1'], known).error).toMatch(/expected metric=value/);
    expect(parseToleranceOverrides(['safety.critical-miss.rate=0.001'], known).error).toBeUndefined();
  });

  it('prefers metric[scope] over metric over the longest glob, and falls back to the default', () => {
    const overrides = new Map([
      ['safety.*', { abs: 0.1, rel: 0 }],
      ['safety.critical*', { abs: 0.2, rel: 0 }],
      ['flipRate', { abs: 0.3, rel: 0 }],
      ['flipRate[units]', { abs: 0.4, rel: 0 }],
    ]);
    const fallback = { abs: 9, rel: 0 };
    expect(toleranceFor('flipRate', 'units', fallback, overrides).abs).toBe(0.4);
    expect(toleranceFor('flipRate', 'other', fallback, overrides).abs).toBe(0.3);
    expect(toleranceFor('safety.critical-miss.rate', 'a', fallback, overrides).abs).toBe(0.2);
    expect(toleranceFor('safety.invariance.rate', 'a', fallback, overrides).abs).toBe(0.1);
    expect(toleranceFor('auroc', 'a', fallback, overrides).abs).toBe(9);
  });

  it('applies an override in the comparison', () => {
    const next = withAuroc(auroc.ci![0] - 0.01);
    const loose = new Map([['auroc', { abs: 0.5, rel: 0 }]]);
    expect(aurocRow(next, { tolerances: loose })).toMatchObject({ verdict: 'worse', regression: false });
  });
});
