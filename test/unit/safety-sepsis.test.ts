import { describe, expect, it } from 'vitest';
import { call, ctxFor, failed, verdict } from './safety-fixtures.ts';

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
