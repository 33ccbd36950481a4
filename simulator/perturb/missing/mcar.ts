import { z } from 'zod';
import { hasLoinc, mapEntries } from '../../fhir/bundle-access.ts';
import { bernoulli } from '../../random.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { isUnitLoinc, UNIT_TABLE } from '../ucum.ts';

/** LOINC check digit: the Luhn (mod 10) digit of the part before the hyphen. */
export function loincCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const LOINC_SHAPE = /^\d{1,7}-\d$/;

/** A LOINC code with a valid check digit, e.g. "2524-7". */
export const LoincCode = z
  .string()
  .regex(LOINC_SHAPE, 'must be a LOINC code: digits, a hyphen and a check digit, e.g. "2524-7"')
  .superRefine((code, ctx) => {
    if (!LOINC_SHAPE.test(code)) return; // already reported by the regex
    const [body = '', check] = code.split('-');
    const expected = loincCheckDigit(body);
    if (Number(check) !== expected) {
      ctx.addIssue({ code: 'custom', message: `LOINC ${code} has a wrong check digit (did you mean ${body}-${expected}?)` });
    }
  });

export type MissingMcarParams = {
  /** One LOINC code or several; each is removed (or kept) independently. */
  loinc: string | string[];
  /** Probability that a targeted code's Observations are removed from a case. */
  rate: number;
};

const MissingMcarParams = z.strictObject({
  loinc: z.union([LoincCode, z.array(LoincCode).min(1, 'give at least one LOINC code')], {
    error: 'must be a LOINC code or a non-empty list of LOINC codes, e.g. "2524-7"',
  }),
  rate: z.number().min(0, 'rate must be between 0 and 1').max(1, 'rate must be between 0 and 1'),
});

/** Targeted codes in the order draws are made: unique and sorted, whatever order the author wrote. */
export function targetCodes(loinc: MissingMcarParams['loinc']): string[] {
  return [...new Set(typeof loinc === 'string' ? [loinc] : loinc)].sort();
}

/** "lactate (2524-7)" for codes the unit table names, else "LOINC 1234-5". */
function codeLabel(code: string): string {
  return isUnitLoinc(code) ? `${UNIT_TABLE[code].name} (${code})` : `LOINC ${code}`;
}

function describeCodes(loinc: MissingMcarParams['loinc']): string {
  const codes = targetCodes(loinc).map(codeLabel);
  return codes.length === 1 ? codes[0]! : `${codes.join(', ')}, each independently,`;
}

/**
 * missing.mcar: missing completely at random. For each targeted code (one uniform draw per code, in
 * sorted code order, made whether or not the case has that code) all Observations with the code are
 * removed with probability `rate`. The draws do not depend on the case's content, so whether a code
 * goes missing is independent of the patient, the label and the other codes.
 */
export const missingMcar: PerturbationDefinition<MissingMcarParams> = {
  family: 'missing',
  params: MissingMcarParams,
  describe: (p) => `${describeCodes(p.loinc)} missing completely at random (rate ${p.rate})`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // One draw per targeted code, always, in sorted order: the stream does not depend on the case.
    const removed: string[] = [];
    for (const code of targetCodes(params.loinc)) if (bernoulli(ctx.rng, params.rate)) removed.push(code);
    if (removed.length === 0) return { case: c, changes: [] };
    const changes: Change[] = [];
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (r?.resourceType !== 'Observation') return entry;
      const code = removed.find((l) => hasLoinc(r, l));
      if (code === undefined) return entry;
      changes.push({ path: `Observation[${code}]`, before: r.valueQuantity ?? null, after: null });
      return null;
    });
    return changes.length === 0 ? { case: c, changes } : { case: { ...c, bundle }, changes };
  },
};
