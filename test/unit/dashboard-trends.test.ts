import { describe, expect, it } from 'vitest';
import type { RunEntry } from '../../reports/dashboard/run-index.ts';
import type { ArmView, ReportView } from '../../reports/dashboard/run-view.ts';
import { renderTrendSvg } from '../../reports/dashboard/trend-chart.ts';
import { scenarioNames, trendData } from '../../reports/dashboard/trends.ts';

const arm = (name: string, auroc: number | null, flipRate: number | null = null): ArmView => ({
  name,
  cases: 100,
  metrics: { auroc: { value: auroc, ci: auroc === null ? null : [auroc - 0.05, auroc + 0.05] } },
  flipRate,
});

function entry(id: string, startedAt: string, arms: ArmView[] | null, scenario = 'nightly'): RunEntry {
  const report: ReportView | null = arms && {
    schemaVersion: 1,
    run: { id, startedAt, finishedAt: startedAt },
    scenarios: [{ name: scenario, task: 'sepsis', arms, gates: [], passed: true }],
    passed: true,
  };
  return {
    id,
    status: arms ? 'complete' : 'interrupted',
    startedAt,
    finishedAt: startedAt,
    passed: arms ? true : null,
    scenarios: [{ name: scenario, task: 'sepsis', passed: arms ? true : null, gates: 0, failedGates: 0, headline: null }],
    report,
    problems: [],
    files: [],
  };
}

// Newest first, as the index gives them.
const RUNS: RunEntry[] = [
  entry('r4', '2026-03-04T02:00:00Z', null),
  entry('r3', '2026-03-03T02:00:00Z', [arm('baseline', 0.83), arm('shifted', 0.7, 0.2)]),
  entry('other', '2026-03-03T01:00:00Z', [arm('baseline', 0.5)], 'weekly'),
  entry('r2', '2026-03-02T02:00:00Z', [arm('baseline', 0.82), arm('shifted', null, 0.1)]),
  entry('r1', '2026-03-01T02:00:00Z', [arm('baseline', 0.81), arm('shifted', 0.72, 0.3)]),
];

describe('dashboard trends', () => {
  it('lists scenarios most recently run first', () => {
    expect(scenarioNames(RUNS)).toEqual(['nightly', 'weekly']);
  });

  it('plots a figure per arm per run, oldest first, and counts runs without a report', () => {
    const data = trendData(RUNS, 'nightly', 'auroc', []);
    expect(data.arms).toEqual(['baseline', 'shifted']);
    expect(data.plotted).toEqual(['baseline', 'shifted']);
    expect(data.reported).toBe(3);
    expect(data.unreported).toBe(1);
    // The shifted arm of r2 has no AUROC: a gap, not a zero.
    expect(data.points.map((p) => [p.runId, p.arm, p.value])).toEqual([
      ['r1', 'baseline', 0.81],
      ['r1', 'shifted', 0.72],
      ['r2', 'baseline', 0.82],
      ['r3', 'baseline', 0.83],
      ['r3', 'shifted', 0.7],
    ]);
    expect(data.points[0]).toMatchObject({ lo: 0.81 - 0.05, hi: 0.81 + 0.05, startedAt: '2026-03-01T02:00:00Z' });
    expect(data.metrics).toEqual(['auroc', 'flipRate']);
  });

  it('plots the chosen arms, and every arm when none of the chosen ones is in the scenario', () => {
    expect(trendData(RUNS, 'nightly', 'flipRate', ['shifted']).points.map((p) => [p.runId, p.value, p.lo])).toEqual([
      ['r1', 0.3, null],
      ['r2', 0.1, null],
      ['r3', 0.2, null],
    ]);
    expect(trendData(RUNS, 'nightly', 'auroc', ['arm-of-another-scenario']).plotted).toEqual(['baseline', 'shifted']);
  });

  it('renders static SVG with a point per run and arm, whiskers for intervals, and escaped arm names', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const points = trendData(RUNS, 'nightly', 'auroc', []).points.map((p) => (p.arm === 'shifted' ? { ...p, arm: hostile } : p));
    const svg = await renderTrendSvg(points, { metricLabel: 'AUROC', arms: ['baseline', hostile] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(5);
    expect(svg.match(/aria-roledescription="rule mark"/g)).toHaveLength(5);
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    expect(svg.match(/aria-label="[^"]*arm: baseline; run: r\d"[^>]*aria-roledescription="point"/g)).toHaveLength(3);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toMatch(/<script|href=|xlink:href="http/);
  });
});
