import { z } from 'zod';
import { hasLoinc, mapEntries } from '../../fhir/bundle-access.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { LoincCode } from '../missing/params.ts';
import { roundTo } from '../ucum.ts';
import { codeLabel, numericValue, physicalBounds, reportedDecimals, unitOf, valuePath, withValue } from './observations.ts';

export type ShiftLabBiasParams = {
  /** LOINC code of the Observations to bias. */
  loinc: string;
  /** Added after the factor, in the Observation's own unit (default 0). */
  offset?: number | undefined;
  /** Multiplies the value (default 1). */
  factor?: number | undefined;
};

const ShiftLabBiasParams = z
  .strictObject({
    loinc: LoincCode,
    offset: z.number({ error: 'offset must be a number (in the unit of the Observation)' }).refine(Number.isFinite, 'offset must be finite').optional(),
    factor: z
      .number({ error: 'factor must be a number' })
      .gt(0, 'factor must be greater than 0')
      .refine(Number.isFinite, 'factor must be finite')
      .optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.offset ?? 0) === 0 && (p.factor ?? 1) === 1) {
      ctx.addIssue({ code: 'custom', path: ['offset'], message: 'give a non-zero offset or a factor other than 1 (the bias would change nothing)' });
    }
  });

/**
 * shift.labBias: site calibration bias. Every Observation coded `loinc` with a numeric value reports
 * value · factor + offset in its own unit, rounded to the value's reported precision (its own
 * decimals, at least its unit's conventional ones) and kept within physical bounds (never below 0; a
 * percentage at most 100). Reference ranges and units are unchanged, as a miscalibrated analyser
 * reports them. Deterministic (no draws).
 */
export const shiftLabBias: PerturbationDefinition<ShiftLabBiasParams> = {
  family: 'shift',
  params: ShiftLabBiasParams,
  example: { loinc: '2524-7', factor: 1.1, offset: 0.2 },
  describe: (p) => {
    const parts = [(p.factor ?? 1) !== 1 ? `× ${p.factor}` : '', (p.offset ?? 0) !== 0 ? `${p.offset! > 0 ? '+' : '−'} ${Math.abs(p.offset!)}` : ''].filter(Boolean);
    return `${codeLabel(p.loinc)} reported as value ${parts.join(' ')} (site calibration bias)`;
  },
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params) {
    const factor = params.factor ?? 1;
    const offset = params.offset ?? 0;
    const changes: Change[] = [];
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (r?.resourceType !== 'Observation' || !hasLoinc(r, params.loinc)) return entry;
      const value = numericValue(r);
      if (value === undefined) return entry;
      const unit = unitOf(r);
      const [lo, hi] = physicalBounds(params.loinc, unit);
      const biased = roundTo(value * factor + offset, reportedDecimals(value, unit, params.loinc));
      const after = Math.min(hi, Math.max(lo, biased));
      changes.push({ path: valuePath(params.loinc), before: value, after });
      return after === value ? entry : { ...entry, resource: withValue(r, after) };
    });
    const moved = changes.some((ch) => ch.before !== ch.after);
    return { case: moved ? { ...c, bundle } : c, changes };
  },
};
