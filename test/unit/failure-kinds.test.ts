import { describe, expect, it } from 'vitest';
import { failureKind } from '../../simulator/metrics/failure-kinds.ts';
import { ArmAccumulator } from '../../simulator/metrics/arm-accumulator.ts';
import { ArmReport } from '../../simulator/metrics/report-types.ts';
import { failureLine } from '../../reports/arm-rows.ts';
import { renderConsole } from '../../reports/console.ts';
import { renderSummaryMarkdown } from '../../reports/markdown.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { record } from './journal-fixtures.ts';
import { armReport, report, scenarioReport } from './report-fixtures.ts';

const failed = (failure: JournalRecord['failure'], outcome: JournalRecord['outcome'], extra: Partial<JournalRecord> = {}): JournalRecord =>
  record({ outcome, failure, output: null, latencyMs: null, ...extra });

describe('failureKind', () => {
  it('puts a service that was not reached or did not answer on the infrastructure side', () => {
    expect(failureKind(failed('transport', 'error'))).toBe('infrastructure');
    for (const status of [401, 429, 500, 502, 503, 504]) expect(failureKind(failed('http-status', 'error', { status }))).toBe('infrastructure');
  });

  it("puts an answer that is unusable or too late on the model's side", () => {
    expect(failureKind(failed('timeout', 'timeout'))).toBe('model');
    expect(failureKind(failed('invalid-response', 'invalid', { status: 200 }))).toBe('model');
    expect(failureKind(failed('invalid-output', 'invalid', { status: 200, output: { score: 2 } }))).toBe('model');
  });

  it('is null for an answered call, and falls back on the outcome when the failure type is missing', () => {
    expect(failureKind(record())).toBeNull();
    expect(failureKind(failed(null, 'error'))).toBe('infrastructure');
    expect(failureKind(failed(null, 'timeout'))).toBe('model');
    expect(failureKind(failed(null, 'invalid'))).toBe('model');
  });
});

describe('per-arm failure split and retries', () => {
  it('counts failures by kind and retries as attempts − 1, leaving infrastructure failures out of quality', () => {
    const acc = new ArmAccumulator('baseline', 1, 6, { task: 'sepsis', threshold: 0.5 });
    acc.add(record({ case: 0, attempts: 3 })); // answered after two retries
    acc.add(record({ case: 1, attempts: 1, truth: { label: 1, risk: 0.9 }, output: { score: 0.9 } }));
    acc.add(failed('http-status', 'error', { case: 2, attempts: 4, status: 429 })); // throttled to the end
    acc.add(failed('transport', 'error', { case: 3, attempts: 2 }));
    acc.add(failed('timeout', 'timeout', { case: 4, attempts: 1 }));
    acc.add(failed('invalid-output', 'invalid', { case: 5, attempts: 1, status: 200, output: { label: 'maybe' } }));
    expect(acc.failureKinds).toEqual({ infrastructure: 2, model: 2 });
    expect(acc.retries).toBe(2 + 3 + 1);
    // Only the two answered calls carry a score into the quality figures.
    expect([0, 1, 2, 3, 4, 5].filter((s) => acc.answered(s))).toEqual([0, 1]);
  });

  it('keeps reports written before the split readable', () => {
    const old = armReport('baseline');
    expect('failures' in old || 'retries' in old).toBe(false);
    expect(ArmReport.safeParse(old).success).toBe(true);
    expect(ArmReport.safeParse({ ...old, failures: { infrastructure: 1, model: 0 }, retries: 3 }).success).toBe(true);
    expect(ArmReport.safeParse({ ...old, failures: { infrastructure: 1 } }).success).toBe(false);
  });
});

describe('failureLine', () => {
  it('is absent for a clean run and for reports without the split', () => {
    expect(failureLine([armReport('baseline', { failures: { infrastructure: 0, model: 0 }, retries: 0 }), armReport('other')])).toBeNull();
  });

  it('names the arms with failures (infrastructure / model) and the retries', () => {
    const arms = [
      armReport('baseline', { failures: { infrastructure: 3, model: 0 }, retries: 12 }),
      armReport('fuzz', { failures: { infrastructure: 0, model: 2 }, retries: 0 }),
      armReport('quiet', { failures: { infrastructure: 0, model: 0 }, retries: 5 }),
    ];
    expect(failureLine(arms)).toBe('failed calls (infrastructure / model): baseline 3 / 0, fuzz 0 / 2 · retries: 17 (baseline 12, quiet 5)');
    expect(failureLine([arms[2]!])).toBe('failed calls: none · retries: 5 (quiet 5)');
    expect(failureLine([arms[1]!])).toBe('failed calls (infrastructure / model): fuzz 0 / 2');
  });

  it('is printed under the arm table in the console and in summary.md', () => {
    const s = scenarioReport({ arms: [armReport('baseline', { failures: { infrastructure: 4, model: 1 }, retries: 9 })] });
    const line = 'failed calls (infrastructure / model): baseline 4 / 1 · retries: 9 (baseline 9)';
    const consoleLines = renderConsole(report([s], true)).split('\n');
    expect(consoleLines.indexOf(line)).toBe(consoleLines.findIndex((l) => l.startsWith('baseline')) + 1);
    const md = renderSummaryMarkdown(report([s], true)).split('\n');
    const lastRow = md.findIndex((l) => l.startsWith('| baseline |'));
    expect(md.slice(lastRow + 1, lastRow + 4)).toEqual(['', line, '']);
  });
});
