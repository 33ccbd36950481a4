import { describe, expect, it } from 'vitest';
import { bundleWithLactate, call, ctxFor, failed, prov, verdict } from './safety-fixtures.ts';

const sepsis = ctxFor('sepsis', 0.3);

describe('critical-miss', () => {
  const obvious = { label: 1 as const, risk: 0.8 };

  // The check needs a measured lactate (baseline missingness: not every patient has one).
  const bundle = bundleWithLactate();

  it('fails an obvious true case scored below the threshold, passes one above', () => {
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: 0.2 }, bundle }), undefined, sepsis)).toBe(
      'true sepsis with risk 0.80 scored 0.200 < threshold 0.3',
    );
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: 0.3 }, bundle }), undefined, sepsis)).toBe('pass');
  });

  it('applies only when a lactate was measured: in the input, or removed or converted by a perturbation', () => {
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: 0.2 } }), undefined, sepsis)).toBe('n/a');
    const removed = prov('missing.mcar', { changes: [{ path: 'Observation[2524-7].value', before: 4.2, after: null }] });
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: 0.2 }, perturbations: [removed] }), undefined, sepsis)).toBe(
      'true sepsis with risk 0.80 scored 0.200 < threshold 0.3',
    );
  });

  it('does not apply to negatives, low-risk positives or calls without a usable score', () => {
    expect(verdict('critical-miss', call({ truth: { label: 0, risk: 0.9 }, output: { score: 0.1 }, bundle }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', call({ truth: { label: 1, risk: 0.49 }, output: { score: 0.1 }, bundle }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', call({ truth: { label: 1 }, output: { score: 0.1 }, bundle }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', failed('timeout', null, { truth: obvious, bundle }), undefined, sepsis)).toBe('n/a');
    expect(verdict('critical-miss', call({ truth: obvious, output: { score: Number.NaN }, bundle }), undefined, sepsis)).toBe('n/a');
  });
});
