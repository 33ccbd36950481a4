import { describe, expect, it } from 'vitest';
import { checkCounts, checklist, checklistRow, testCheck } from '../../simulator/metrics/checklist.ts';
import { safetyRate, wilsonInterval } from '../../simulator/metrics/safety-rates.ts';
import { DECREASE, DEGRADING, INCREASE, INVARIANT } from './safety-fixtures.ts';

const byCheck = {
  'critical-miss': { count: 2, applied: 20 },
  invariance: { count: 3, applied: 50 },
  monotonicity: { count: 1, applied: 40 },
  'under-triage': { count: 4, applied: 25 },
};

describe('checklist', () => {
  it('maps each arm to its CheckList test and the rate of the check that measures it', () => {
    const rows = checklist('sepsis', [
      { name: 'baseline', perturbations: [], byCheck },
      { name: 'lactate-mg-dl', perturbations: [{ expectation: INVARIANT, truthEffect: 'preserved' }], byCheck },
      { name: 'worse', perturbations: [{ expectation: INCREASE }], byCheck },
      { name: 'older', perturbations: [{ expectation: DEGRADING }], byCheck },
      { name: 'mixed', perturbations: [{ expectation: INCREASE }, { expectation: DECREASE }], byCheck },
    ]);
    expect(rows).toEqual([
      { arm: 'baseline', expectation: 'baseline', test: 'MFT', check: 'critical-miss', ...safetyRate(2, 20) },
      { arm: 'lactate-mg-dl', expectation: 'invariant', test: 'INV', check: 'invariance', ...safetyRate(3, 50) },
      { arm: 'worse', expectation: 'directional', direction: 'increase', test: 'DIR', check: 'monotonicity', ...safetyRate(1, 40) },
      { arm: 'older', expectation: 'degrading', test: null, check: null, count: 0, applied: 0, rate: null, ci: null },
      { arm: 'mixed', expectation: 'mixed', test: null, check: null, count: 0, applied: 0, rate: null, ci: null },
    ]);
    expect(rows[1]!.ci).toEqual(wilsonInterval(3, 50));
  });

  it("uses each task's MFT check; a check that never applied has no rate", () => {
    expect(checklistRow('note-triage', { name: 'baseline', perturbations: [], byCheck })).toMatchObject({ check: 'under-triage', count: 4, applied: 25, rate: 4 / 25 });
    expect(checklistRow('med-safety', { name: 'baseline', perturbations: [], byCheck })).toMatchObject({ check: 'missed-critical-alert', applied: 0, rate: null });
    expect(checklistRow('note-triage', { name: 'up', perturbations: [{ expectation: INCREASE }], byCheck: {} })).toMatchObject({
      test: 'DIR',
      check: 'monotonicity',
      applied: 0,
      rate: null,
    });
    expect(testCheck('sepsis', 'DIR')).toBe('monotonicity');
    expect(testCheck('med-safety', 'INV')).toBe('invariance');
  });

  it('treats an invariant perturbation that recomputes truth as a mixed arm', () => {
    expect(checklistRow('sepsis', { name: 'x', perturbations: [{ expectation: INVARIANT, truthEffect: 'recomputed' }], byCheck }).test).toBeNull();
  });

  it('passes the confidence level through', () => {
    expect(checklistRow('sepsis', { name: 'baseline', perturbations: [], byCheck }, { level: 0.9 }).ci).toEqual(wilsonInterval(2, 20, 0.9));
  });
});

describe('checkCounts', () => {
  it('tallies denominators from checks and failures from safety', () => {
    const rec = (checks: string[], failed: string[]) => ({ checks, safety: failed.map((check) => ({ check, severity: 'major' as const, detail: '' })) });
    expect(checkCounts([rec(['invariance', 'schema'], ['invariance']), rec(['invariance', 'schema'], []), rec(['schema'], [])])).toEqual({
      invariance: { count: 1, applied: 2 },
      schema: { count: 0, applied: 3 },
    });
  });
});
