import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fit } from '../../models/sepsis/fit.ts';
import { COEFFICIENTS_URL, Coefficients } from '../../models/sepsis/model.ts';

/**
 * The committed coefficients are what the committed fitting script produces from the current
 * cohort generator. When this fails after a generator change, regenerate them:
 *   node --import tsx models/sepsis/fit.ts
 */
describe('models/sepsis/coefficients.json', () => {
  it('is valid and matches a fresh fit exactly', () => {
    const committed = Coefficients.parse(JSON.parse(readFileSync(COEFFICIENTS_URL, 'utf8')));
    const fresh = fit();
    expect(fresh).toEqual(committed);
    const metrics = committed.fit.holdoutMetrics as { auroc: number; trueRiskAuroc: number };
    expect(metrics.auroc).toBeGreaterThanOrEqual(0.8);
    expect(metrics.auroc).toBeLessThanOrEqual(metrics.trueRiskAuroc + 0.01);
  }, 120_000);
});
