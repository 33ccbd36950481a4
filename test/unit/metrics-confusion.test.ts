import { describe, expect, it } from 'vitest';
import { confusionAt } from '../../simulator/metrics/confusion.ts';

describe('confusionAt', () => {
  it('decides positive at score >= threshold and derives the rates', () => {
    const m = confusionAt([0.2, 0.5, 0.7, 0.4, 0.5, 0.1], [0, 1, 1, 1, 0, 0], 0.5);
    expect(m).toEqual({
      threshold: 0.5,
      tp: 2,
      fp: 1,
      tn: 2,
      fn: 1,
      sensitivity: 2 / 3,
      specificity: 2 / 3,
      ppv: 2 / 3,
      npv: 2 / 3,
    });
  });

  it('gives NaN for a rate whose denominator is 0', () => {
    const noPositives = confusionAt([0.1, 0.2], [0, 0], 0.5);
    expect(noPositives.sensitivity).toBeNaN();
    expect(noPositives.ppv).toBeNaN();
    expect(noPositives.specificity).toBe(1);
    const allFlagged = confusionAt([0.6, 0.9], [0, 1], 0.5);
    expect(allFlagged.npv).toBeNaN();
    expect(allFlagged.ppv).toBe(0.5);
  });

  it('rejects a NaN threshold', () => {
    expect(() => confusionAt([0.1], [0], NaN)).toThrow(RangeError);
  });
});
