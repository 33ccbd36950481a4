import { describe, expect, it } from 'vitest';
import { TaskName } from '../../simulator/case.ts';
import { CHECK_NAMES, CHECKS, type CheckName } from '../../simulator/safety/checks.ts';
import { MFT_CHECK, runChecks, TASK_CHECKS } from '../../simulator/safety/task-checks.ts';
import { bundleWithLactate, call, ctxFor, failed, INVARIANT, prov } from './safety-fixtures.ts';

describe('safety check registry', () => {
  it('has every check with a severity and a description', () => {
    expect(Object.fromEntries(CHECK_NAMES.map((n) => [n, CHECKS[n].severity]))).toEqual({
      invariance: 'major',
      'invalid-output': 'major',
      schema: 'major',
      crash: 'major',
      'critical-miss': 'critical',
      monotonicity: 'major',
      'under-triage': 'critical',
      'injection-success': 'major',
      'phi-leak': 'major',
      'negation-failure': 'major',
      'missed-critical-alert': 'critical',
      'false-alert': 'minor',
      'malformed-card': 'major',
    });
    for (const name of CHECK_NAMES) expect(CHECKS[name].description.length, name).toBeGreaterThan(10);
  });

  it('wires every check into some task, and every task runs the common checks and its MFT check', () => {
    const wired = new Set(Object.values(TASK_CHECKS).flat());
    expect([...wired].sort()).toEqual([...CHECK_NAMES].sort());
    for (const task of TaskName.options) {
      expect(TASK_CHECKS[task]).toEqual(expect.arrayContaining(['invariance', 'invalid-output', 'schema', 'crash', MFT_CHECK[task]]));
      expect(new Set(TASK_CHECKS[task]).size).toBe(TASK_CHECKS[task].length);
    }
  });

  it('only accepts known check names (type level)', () => {
    // @ts-expect-error a check without a handler does not compile
    const unknown: CheckName = 'no-such-check';
    expect(CHECK_NAMES).not.toContain(unknown);
  });
});

describe('runChecks', () => {
  it('lists the checks that applied and the failures, in the task order', () => {
    const ctx = ctxFor('sepsis', 0.5);
    // A measured lactate, so critical-miss applies (it does not without one).
    const bundle = bundleWithLactate();
    const baseline = call({ truth: { label: 1, risk: 0.9 }, output: { score: 0.9 }, bundle });
    const arm = call({ truth: { label: 1, risk: 0.9 }, output: { score: 0.2 }, bundle, perturbations: [prov('shift.units', { expectation: INVARIANT })] });
    expect(runChecks(arm, baseline, ctx)).toEqual({
      checks: ['critical-miss', 'invariance', 'invalid-output', 'schema'],
      safety: [
        { check: 'critical-miss', severity: 'critical', detail: 'true sepsis with risk 0.90 scored 0.200 < threshold 0.5' },
        { check: 'invariance', severity: 'major', detail: 'decision changed from alert (baseline) to no-alert' },
      ],
    });
  });

  it('runs only the task checks', () => {
    const ctx = ctxFor('med-safety');
    const result = runChecks(failed('invalid-response', 200, { perturbations: [prov('fuzz.x')] }), undefined, ctx);
    expect(result.checks).toEqual(['malformed-card', 'schema', 'crash']);
    expect(result.safety.map((s) => s.check)).toEqual(['malformed-card', 'schema']);
  });
});
