import { describe, expect, it } from 'vitest';
import { MONOTONICITY_TOLERANCE } from '../../simulator/safety/sepsis-checks.ts';
import { call, ctxFor, DECREASE, DEGRADING, failed, INCREASE, INVARIANT, prov, verdict } from './safety-fixtures.ts';

const sepsis = ctxFor('sepsis', 0.3);

describe('critical-miss', () => {
  const obvious = { label: 1 as const, risk: 0.8 };

  it('fails an obvious true case scored below the threshold, passes one above', () => {
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: 0.2 } }), undefined, sepsis)).toBe(
      'true sepsis with risk 0.80 scored 0.200 < threshold 0.3',
    );
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: 0.3 } }), undefined, sepsis)).toBe('pass');
  });

  it('does not apply to negatives, low-risk positives or calls without a usable score', () => {
    expect(verdict('critical-miss', call({ truth: { label: 0, risk: 0.9 }, output: { score: 0.1 } }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', call({ truth: { label: 1, risk: 0.49 }, output: { score: 0.1 } }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', call({ truth: { label: 1 }, output: { score: 0.1 } }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', failed('timeout', null, { truth: obvious }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: Number.NaN } }), undefined, sepsis)).toBe('n/a');
  });
});

describe('monotonicity', () => {
  const worse = [prov('shift.worse', { expectation: INCREASE }), prov('shift.worse2', { expectation: INCREASE })];
  const better = [prov('shift.better', { expectation: DECREASE })];
  const base = call({ output: { score: 0.4 } });

  it('fails when worse physiology lowers the score beyond the tolerance', () => {
    expect(verdict('monotonicity', call({ output: { score: 0.35 }, perturbations: worse }), base, sepsis)).toBe(
      'score fell from 0.400 (baseline) to 0.350 although the arm should increase it',
    );
  });

  it('passes a score that rose, stayed, or fell within the tolerance', () => {
    expect(verdict('monotonicity', call({ output: { score: 0.6 }, perturbations: worse }), base, sepsis)).toBe('pass');
    expect(verdict('monotonicity', call({ output: { score: 0.4 }, perturbations: worse }), base, sepsis)).toBe('pass');
    expect(verdict('monotonicity', call({ output: { score: 0.4 - MONOTONICITY_TOLERANCE / 2 }, perturbations: worse }), base, sepsis)).toBe('pass');
  });

  it('checks a decrease arm the other way', () => {
    expect(verdict('monotonicity', call({ output: { score: 0.5 }, perturbations: better }), base, sepsis)).toMatch(/rose from 0.400/);
    expect(verdict('monotonicity', call({ output: { score: 0.2 }, perturbations: better }), base, sepsis)).toBe('pass');
  });

  it('applies only to single-direction arms that changed the case, with both scores usable', () => {
    const fell = { output: { score: 0.1 } };
    expect(verdict('monotonicity', call({ ...fell }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [...worse, ...better] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [...worse, prov('m', { expectation: DEGRADING })] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [prov('u', { expectation: INVARIANT })] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [prov('w', { expectation: INCREASE, changes: [] })] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: worse }), undefined, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: worse }), failed('timeout'), sepsis)).toBe('n/a');
    expect(verdict('monotonicity', failed('http-status', 500, { perturbations: worse }), base, sepsis)).toBe('n/a');
  });
});
