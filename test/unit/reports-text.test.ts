import { describe, expect, it } from 'vitest';
import { estimate, ms, num, pct, signed } from '../../reports/format.ts';
import { ARM_COLUMNS, armRow } from '../../reports/arm-rows.ts';
import { renderSummaryMarkdown } from '../../reports/markdown.ts';
import { renderConsole } from '../../reports/console.ts';
import { armReport, est, quality, report, scenarioReport } from './report-fixtures.ts';

describe('format', () => {
  it('num: fixed digits, n/a for null, undefined, NaN and infinities (never 0)', () => {
    expect(num(0.12345)).toBe('0.123');
    expect(num(0)).toBe('0.000');
    expect(num(1, 4)).toBe('1.0000');
    expect(num(-0.5, 1)).toBe('-0.5');
    for (const x of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(num(x)).toBe('n/a');
  });

  it('signed: an explicit + for zero and gains', () => {
    expect(signed(0.05)).toBe('+0.050');
    expect(signed(0)).toBe('+0.000');
    expect(signed(-0.125)).toBe('-0.125');
    expect(signed(0.1234, 2)).toBe('+0.12');
    expect(signed(null)).toBe('n/a');
    expect(signed(Number.NaN)).toBe('n/a');
  });

  it('pct: a share as a percentage', () => {
    expect(pct(0.5)).toBe('50.0%');
    expect(pct(1)).toBe('100.0%');
    expect(pct(2 / 3, 2)).toBe('66.67%');
    expect(pct(0)).toBe('0.0%');
    expect(pct(null)).toBe('n/a');
    expect(pct(Number.NaN)).toBe('n/a');
  });

  it('estimate: the value with its CI as [lo, hi]', () => {
    expect(estimate(est(0.75, [0.6, 0.9]))).toBe('0.750 [0.600, 0.900]');
    expect(estimate(est(0.75))).toBe('0.750');
    expect(estimate(est(0.8123, [0.7, 0.9]), 2)).toBe('0.81 [0.70, 0.90]');
    expect(estimate(est(0.75, [0.6, 0.9]), 1, pct)).toBe('75.0% [60.0%, 90.0%]');
    expect(estimate(est(null, [0.6, 0.9]))).toBe('n/a');
    expect(estimate(null)).toBe('n/a');
    expect(estimate(undefined)).toBe('n/a');
  });

  it('ms: two decimals under 10 ms, whole milliseconds above', () => {
    expect(ms(5.123)).toBe('5.12 ms');
    expect(ms(0)).toBe('0.00 ms');
    expect(ms(47.5)).toBe('48 ms');
    expect(ms(1234.4)).toBe('1234 ms');
    expect(ms(null)).toBe('n/a');
    expect(ms(undefined)).toBe('n/a');
    expect(ms(Number.NaN)).toBe('n/a');
  });
});

describe('armRow', () => {
  it('lays out one arm under the shared columns', () => {
    expect(ARM_COLUMNS).toHaveLength(11);
    expect(armRow(armReport('baseline'))).toEqual([
      'baseline', '10', '100.0%', '0.850', '—', '0.100', '80.0%', '90.0%', '—', '25 ms', '0',
    ]);
  });

  it('shows relative figures, answered share and failing checks of a perturbed arm', () => {
    const arm = armReport('older', {
      cases: 8,
      calls: 8,
      outcomes: { ok: 6, error: 1, timeout: 1, invalid: 0 },
      metrics: { ...quality({ auroc: 0.7, brier: 0.2, sensitivity: 0.5, specificity: 0.75 }), auroc: est(0.7, [0.55, 0.85]) },
      delta: quality({ auroc: -0.15 }),
      flipRate: 0.125,
      latency: { p50: 3, p90: 6, p95: 7.5, p99: 9, max: 9.5 },
      safety: {
        failures: 3,
        bySeverity: { critical: 2, major: 1, minor: 0 },
        byCheck: {
          'critical-miss': { count: 2, applied: 4, rate: 0.5, ci: [0.15, 0.85] },
          invariance: { count: 1, applied: 5, rate: 0.2, ci: [0.04, 0.62] },
          quiet: { count: 0, applied: 3, rate: 0, ci: [0, 0.56] },
        },
      },
    });
    expect(armRow(arm)).toEqual([
      'older', '8', '75.0%', '0.700 [0.550, 0.850]', '-0.150', '0.200', '50.0%', '75.0%', '12.5%', '7.50 ms', 'critical-miss 2, invariance 1',
    ]);
  });

  it('shows n/a for figures that are not available, never 0', () => {
    const arm = armReport('empty', {
      cases: 0,
      calls: 0,
      outcomes: { ok: 0, error: 0, timeout: 0, invalid: 0 },
      metrics: quality(),
      delta: quality(),
      flipRate: null,
      latency: null,
    });
    expect(armRow(arm)).toEqual(['empty', '0', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', '—', 'n/a', '0']);
  });
});

describe('renderSummaryMarkdown', () => {
  const failing = scenarioReport({
    arms: [armReport('baseline'), armReport('older', {
      perturbations: [{ kind: 'shift.age', params: { mean: 80, sd: 8 }, description: 'age ~ N(80, 8)', expectation: { kind: 'degrading' } }],
      metrics: quality({ auroc: null, brier: 0.3 }),
      delta: quality({ auroc: null }),
    })],
    gates: [
      { name: 'auroc[baseline]', expression: '>= 0.8', actual: 0.85, pass: true },
      { name: 'auroc[older]', expression: '>= 0.8', actual: null, pass: false },
    ],
    passed: false,
  });

  it('states the verdict, an overview, failed gates in full and passed ones folded, and one row per arm', () => {
    const md = renderSummaryMarkdown(report([failing]));
    expect(md.split('\n')).toEqual([
      '# clinsim run run-1: ❌ failed',
      '',
      '| scenario | task | gates failed | safety failures | verdict |',
      '| --- | --- | --- | --- | --- |',
      '| sepsis-demo | sepsis | 1 of 2 | 0 | ❌ failed |',
      '',
      '## sepsis-demo (sepsis): failed',
      '',
      'Target: http-json http://127.0.0.1:1234/predict · seed 7 · 10 patients · threshold 0.5',
      '',
      '| gate | bound | actual | result |',
      '| --- | --- | --- | --- |',
      '| auroc[older] | >= 0.8 | n/a | **FAIL** |',
      '',
      '<details><summary>1 of 2 gates passed</summary>',
      '',
      '| gate | bound | actual | result |',
      '| --- | --- | --- | --- |',
      '| auroc[baseline] | >= 0.8 | 0.8500 | pass |',
      '',
      '</details>',
      '',
      '| arm | cases | answered | AUROC [95% CI] | ΔAUROC | Brier | sens | spec | flips | p95 | safety |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| baseline | 10 | 100.0% | 0.850 | — | 0.100 | 80.0% | 90.0% | — | 25 ms | 0 |',
      '| older | 10 | 100.0% | n/a | n/a | 0.300 | n/a | n/a | 0.0% | 25 ms | 0 |',
      '',
      '- **older**: age ~ N(80, 8) (degrading)',
      '',
      'Report: report.json (schema 1), junit.xml; lineage: manifest.json.',
      '',
    ]);
  });

  it('says passed when the run passed, and leaves out an empty gate table', () => {
    const md = renderSummaryMarkdown(report([scenarioReport()]));
    expect(md.startsWith('# clinsim run run-1: ✅ passed\n')).toBe(true);
    expect(md).toContain('## sepsis-demo (sepsis): passed');
    expect(md).not.toContain('| gate |');
  });

  it('escapes pipes and flattens newlines inside cells', () => {
    const s = scenarioReport({
      arms: [armReport('a|b')],
      gates: [{ name: 'auroc[a|b]', expression: '>= 0.8\n', actual: 0.9, pass: true }],
    });
    const md = renderSummaryMarkdown(report([s]));
    expect(md).toContain('| auroc[a\\|b] | >= 0.8  | 0.9000 | pass |');
    expect(md).toContain('| a\\|b | 10 |');
    // Every table row still has exactly the columns of its header (unescaped pipes only).
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      expect([4, 5, ARM_COLUMNS.length]).toContain(cells); // gates, the overview, the arms
    }
  });
});

describe('renderConsole', () => {
  it('prints an aligned table, the gates and a FAILED verdict', () => {
    const s = scenarioReport({
      arms: [armReport('baseline'), armReport('lactate-mg-dl', { metrics: quality({ auroc: null }), delta: quality({ auroc: -0.05 }) })],
      gates: [
        { name: 'auroc[baseline]', expression: '>= 0.8', actual: 0.85, pass: true },
        { name: 'auroc.drop[lactate-mg-dl]', expression: '<= 0.02', actual: 0.05, pass: false },
      ],
      passed: false,
    });
    const lines = renderConsole(report([s])).split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1]).toBe('sepsis-demo (sepsis) → http-json http://127.0.0.1:1234/predict');
    const [header, rule, base, units] = lines.slice(2, 6) as [string, string, string, string];
    expect(header.startsWith('arm            cases  answered')).toBe(true);
    expect(rule.startsWith('─'.repeat('lactate-mg-dl'.length) + '  ')).toBe(true);
    // Columns line up: each column starts at the same offset in every row.
    const offset = (line: string, text: string) => line.indexOf(text);
    expect(offset(base, '100.0%')).toBe(offset(header, 'answered'));
    expect(offset(units, 'n/a')).toBe(offset(header, 'AUROC'));
    expect(units).toContain('-0.050');
    expect(lines.slice(6)).toEqual([
      '',
      'gates:',
      '  pass  auroc[baseline] >= 0.8  (actual 0.8500)',
      '  FAIL  auroc.drop[lactate-mg-dl] <= 0.02  (actual 0.0500)',
      '',
      'verdict: FAILED (a gate failed)',
    ]);
  });

  it('prints PASSED, and n/a for a gate figure that is not available', () => {
    const s = scenarioReport({ gates: [{ name: 'latency.p95[baseline]', expression: '< 100', actual: null, pass: false }] });
    const out = renderConsole(report([s], true));
    expect(out).toContain('  FAIL  latency.p95[baseline] < 100  (actual n/a)');
    expect(out.endsWith('\nverdict: PASSED')).toBe(true);
  });
});

describe('the target line', () => {
  it("names an openai target's model in the console and summary.md", () => {
    const s = scenarioReport({ target: { adapter: 'openai', url: 'http://127.0.0.1:1234/v1', model: 'gpt-x' } });
    expect(renderConsole(report([s])).split('\n')[1]).toBe('sepsis-demo (sepsis) → openai http://127.0.0.1:1234/v1 (model gpt-x)');
    expect(renderSummaryMarkdown(report([s]))).toContain('Target: openai http://127.0.0.1:1234/v1 (model gpt-x) · seed');
  });
});
