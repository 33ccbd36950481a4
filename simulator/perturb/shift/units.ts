import { z } from 'zod';
import type { Observation, Quantity } from 'fhir/r4.js';
import { hasLoinc, mapEntries, UCUM } from '../../fhir/bundle-access.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { convertRounded, hasUnit, quantityOf, UNIT_LOINCS, unitsFor, type UnitCode, type UnitLoinc } from '../ucum.ts';

export type ShiftUnitsParams = {
  /** LOINC code of the Observations to re-express; the code itself is left as is. */
  loinc: UnitLoinc;
  /** UCUM code of the unit to report them in. */
  to: UnitCode;
};

const ShiftUnitsParams = z
  .strictObject({
    loinc: z.enum(UNIT_LOINCS, {
      error: (iss) => `no unit conversions for LOINC ${String(iss.input)}; codes with conversions: ${UNIT_LOINCS.join(', ')}`,
    }),
    // Checked against the LOINC code's units below, so the message can list the units allowed for it.
    to: z.custom<UnitCode>((v) => typeof v === 'string', { error: 'must be a UCUM unit code, e.g. "mg/dL"' }),
  })
  .superRefine((p, ctx) => {
    if (!hasUnit(p.loinc, p.to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `no conversion to "${p.to}" for LOINC ${p.loinc} (${quantityOf(p.loinc).name}); allowed units: ${unitsFor(p.loinc).join(', ')}`,
      });
    }
  });

/** One Quantity re-expressed in the unit `to` (value converted and rounded by the precision rule). */
function reexpress(q: Quantity, from: string, to: string, loinc: string): Quantity {
  if (q.value === undefined) return q;
  return { ...q, value: convertRounded(q.value, from, to, loinc), unit: to, system: UCUM, code: to };
}

/**
 * shift.units: the same measurement reported in another UCUM unit under the same LOINC code, as a
 * site with other lab conventions would send it. Values are converted exactly (ucum.ts) and rounded
 * by its precision rule; a robust model reads the unit and decides as before.
 */
export const shiftUnits: PerturbationDefinition<ShiftUnitsParams> = {
  family: 'shift',
  params: ShiftUnitsParams,
  example: { loinc: '2524-7', to: 'mg/dL' },
  describe: (p) => `${quantityOf(p.loinc).name} (${p.loinc}) reported in ${p.to}`,
  expectation: () => ({ kind: 'invariant' }),
  truthEffect: 'preserved',
  apply(c, params) {
    const changes: Change[] = [];
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (r?.resourceType !== 'Observation' || !hasLoinc(r, params.loinc)) return entry;
      const vq = r.valueQuantity;
      const from = vq?.code ?? vq?.unit;
      if (!vq || vq.value === undefined || from === undefined || from === params.to) return entry;
      const valueQuantity = reexpress(vq, from, params.to, params.loinc);
      const next: Observation = { ...r, valueQuantity };
      if (r.referenceRange) {
        next.referenceRange = r.referenceRange.map((range) => {
          const sameUnit = (q: Quantity | undefined) => q !== undefined && (q.code ?? q.unit) === from;
          if (!sameUnit(range.low) && !sameUnit(range.high)) return range;
          const out = { ...range };
          if (range.low && sameUnit(range.low)) out.low = reexpress(range.low, from, params.to, params.loinc);
          if (range.high && sameUnit(range.high)) out.high = reexpress(range.high, from, params.to, params.loinc);
          return out;
        });
      }
      changes.push({
        path: `Observation[${params.loinc}].valueQuantity`,
        before: { value: vq.value, code: from },
        after: { value: valueQuantity.value, code: params.to },
      });
      return { ...entry, resource: next };
    });
    return changes.length === 0 ? { case: c, changes } : { case: { ...c, bundle }, changes };
  },
};
