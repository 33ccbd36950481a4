import { z } from 'zod';
import type { BundleEntry } from 'fhir/r4.js';
import { LOINC } from '../../fhir/bundle-access.ts';
import { LoincCode, targetCodes } from '../missing/mcar.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { entriesOf, fuzzSubStream, indexOf, isObject, withEntries } from './loose.ts';

/**
 * fuzz.extremeValues: impossible measurement values. Every Observation with a numeric
 * `valueQuantity.value` (only those coded `loinc`, when given) gets a value no patient can have —
 * drawn from EXTREME_VALUES, or `value` when given. Units, codes and the rest are unchanged, and
 * the values are ordinary JSON numbers (NaN and Infinity are not JSON), so the bundle stays valid
 * against the FHIR JSON schema: it is the clinical content that is impossible.
 *
 * Degrading, truth preserved: the endpoint should reject or flag the values, not score them.
 */

/** Negative, zero, astronomically large, and next to the largest double. */
export const EXTREME_VALUES: readonly number[] = [-1, -1e12, 0, 1e9, 1e12, 1e308];

export type FuzzExtremeValuesParams = {
  /** LOINC code(s) of the Observations to change; every Observation with a value when omitted. */
  loinc?: string | string[];
  /** The value to write (a finite number); drawn per Observation from EXTREME_VALUES when omitted. */
  value?: number;
};

const FuzzExtremeValuesParams = z.strictObject({
  loinc: z
    .union([LoincCode, z.array(LoincCode).min(1, 'give at least one LOINC code')], {
      error: 'must be a LOINC code or a non-empty list of LOINC codes, e.g. "8867-4"',
    })
    .optional(),
  value: z.number({ error: 'must be a finite number' }).refine(Number.isFinite, 'must be a finite number (JSON has no NaN or Infinity)').optional(),
});

/** Whether a CodeableConcept has a LOINC coding among `codes`; read defensively (earlier fuzz may have broken its types). */
function codedWith(code: unknown, codes: readonly string[]): boolean {
  const coding = isObject(code) ? code.coding : undefined;
  return Array.isArray(coding) && coding.some((c) => isObject(c) && c.system === LOINC && codes.includes(c.code as string));
}

export const fuzzExtremeValues: PerturbationDefinition<FuzzExtremeValuesParams> = {
  family: 'fuzz',
  params: FuzzExtremeValuesParams,
  example: { loinc: '8867-4' },
  describe: (p) =>
    `impossible values (${p.value ?? EXTREME_VALUES.join(', ')}) for ${p.loinc === undefined ? 'every measurement' : `LOINC ${targetCodes(p.loinc).join(', ')}`}`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one int32 seeding the sub-stream (one uniform per Observation with a value), always.
    const sub = fuzzSubStream(ctx.rng, 'extremeValues');
    const codes = params.loinc === undefined ? undefined : targetCodes(params.loinc);
    const changes: Change[] = [];
    const next = entriesOf(c.bundle).map((entry, i): BundleEntry => {
      const r = isObject(entry as unknown) ? entry.resource : undefined;
      if (r?.resourceType !== 'Observation') return entry;
      const vq = r.valueQuantity;
      if (!isObject(vq) || typeof vq.value !== 'number') return entry;
      if (codes && !codedWith(r.code, codes)) return entry;
      const u = sub();
      const value = params.value ?? EXTREME_VALUES[indexOf(u, EXTREME_VALUES.length)]!;
      changes.push({ path: `Bundle.entry[${i}].resource.valueQuantity.value`, before: vq.value, after: value });
      return { ...entry, resource: { ...r, valueQuantity: { ...vq, value } } };
    });
    return changes.length === 0 ? { case: c, changes } : { case: withEntries(c, next), changes };
  },
};
