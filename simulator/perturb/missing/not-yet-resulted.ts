import { z } from 'zod';
import type { CodeableConcept, Observation } from 'fhir/r4.js';
import { hasLoinc, mapEntries } from '../../fhir/bundle-access.ts';
import { deepFreeze } from '../../cohort/demographics.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { numericValue, valuePath } from '../shift/observations.ts';
import { describeCodes, LoincCodes, rateSchema, targetCodes } from './params.ts';

export type MissingNotYetResultedParams = {
  /** LOINC code(s) of the labs that are not yet resulted; each decided on its own draw. */
  loinc: string | string[];
  /** Probability that a targeted lab is not yet resulted in a case (default 1). */
  rate?: number | undefined;
  /**
   * 'pending' (default): the snapshot at prediction time — status registered, no value.
   * 'late': the value is in the bundle but was issued after the prediction time (a leak test).
   */
  mode?: 'pending' | 'late' | undefined;
};

const MissingNotYetResultedParams = z.strictObject({
  loinc: LoincCodes,
  rate: rateSchema('rate').optional(),
  mode: z.enum(['pending', 'late'], { error: 'mode must be "pending" (no value yet) or "late" (value issued after the prediction time)' }).optional(),
});

/** DataAbsentReason `temp-unknown`: the value is expected to become known (FHIR R4 data-absent-reason). */
export const TEMP_UNKNOWN: CodeableConcept = deepFreeze({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'temp-unknown', display: 'Temporarily Unknown' }],
});

/** Result delay after the prediction time in 'late' mode: uniform over [10, 120] minutes, whole seconds. */
export const LATE_MIN_MINUTES = 10;
export const LATE_MAX_MINUTES = 120;

const VALUE_KEYS = [
  'valueQuantity',
  'valueCodeableConcept',
  'valueString',
  'valueBoolean',
  'valueInteger',
  'valueRange',
  'valueRatio',
  'valueSampledData',
  'valueTime',
  'valueDateTime',
  'valuePeriod',
] as const;

/** The registered (not yet resulted) form of an Observation: no value, interpretation or issued time. */
function pending(obs: Observation): Observation {
  const next: Observation = { ...obs, status: 'registered', dataAbsentReason: TEMP_UNKNOWN };
  for (const key of VALUE_KEYS) delete next[key];
  delete next.interpretation;
  delete next.issued;
  return next;
}

/**
 * missing.notYetResulted: the lab was ordered (and its specimen collected) but its result is not
 * available at the prediction time (Bundle.timestamp). For each targeted code (two uniforms per
 * code, in sorted order, always drawn: the decision and the 'late' delay) the code's Observations
 * are affected with probability `rate` (default 1).
 *
 * - 'pending' (default) is the FHIR-correct snapshot at prediction time: the Observation exists
 *   with `status: registered` ("the existence of the observation is registered, but there is no
 *   result yet available"), no value[x], interpretation or `issued`, and `dataAbsentReason`
 *   temp-unknown (allowed because there is no value, invariant obs-6). `effectiveDateTime`, the
 *   specimen collection time, stays: the draw happened before the prediction. A model sees that the
 *   test is pending, not its result.
 * - 'late' keeps the value and status but sets `issued` (when the result was made available) to
 *   Bundle.timestamp + 10–120 minutes: the bundle holds a result from the future, as a retrospective
 *   extract that does not filter on `issued` would. A model (or feature pipeline) that uses it is
 *   leaking the future; a careful one ignores results issued after the prediction time.
 *
 * Provenance: 'pending' records `Observation[<code>].value` before → null for a withheld result and
 * before → before for one that was kept; 'late' records `Observation[<code>].issued` before (null
 * when absent) → after. Observations without a value are left alone.
 */
export const missingNotYetResulted: PerturbationDefinition<MissingNotYetResultedParams> = {
  family: 'missing',
  params: MissingNotYetResultedParams,
  example: { loinc: '2524-7', rate: 0.4 },
  describe: (p) =>
    `${describeCodes(p.loinc)} not yet resulted at prediction time (rate ${p.rate ?? 1}${p.mode === 'late' ? '; value kept, issued after the prediction time' : ''})`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    const codes = targetCodes(params.loinc);
    const rate = params.rate ?? 1;
    const late = params.mode === 'late';
    const decided = new Map<string, { affected: boolean; delayMs: number }>();
    for (const code of codes) {
      const affected = ctx.rng() < rate;
      const delaySeconds = Math.floor((LATE_MIN_MINUTES + ctx.rng() * (LATE_MAX_MINUTES - LATE_MIN_MINUTES)) * 60);
      decided.set(code, { affected, delayMs: delaySeconds * 1000 });
    }
    const predictionMs = Date.parse(c.bundle.timestamp ?? '');
    if (late && Number.isNaN(predictionMs)) return { case: c, changes: [] }; // no prediction time to be late for
    const changes: Change[] = [];
    let changed = false;
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (r?.resourceType !== 'Observation') return entry;
      const code = codes.find((l) => hasLoinc(r, l));
      const value = numericValue(r);
      if (code === undefined || value === undefined) return entry;
      const { affected, delayMs } = decided.get(code)!;
      if (late) {
        if (!affected) return entry;
        const issued = new Date(predictionMs + delayMs).toISOString();
        changes.push({ path: `Observation[${code}].issued`, before: r.issued ?? null, after: issued });
        changed = true;
        return { ...entry, resource: { ...r, issued } };
      }
      changes.push({ path: valuePath(code), before: value, after: affected ? null : value });
      if (!affected) return entry;
      changed = true;
      return { ...entry, resource: pending(r) };
    });
    return { case: changed ? { ...c, bundle } : c, changes };
  },
};
