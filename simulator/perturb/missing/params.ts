import { z } from 'zod';
import { codeLabel } from '../shift/observations.ts';

/** Parameter schemas and helpers shared by the missing kinds (and the shift kinds that target codes). */

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

/** LOINC code or a non-empty list of them (each with a correct check digit). */
export const LoincCodes = z.union([LoincCode, z.array(LoincCode).min(1, 'give at least one LOINC code')], {
  error: 'must be a LOINC code or a non-empty list of LOINC codes, e.g. "2524-7"',
});

/** A probability in [0, 1]. */
export function rateSchema(name: string) {
  return z.number({ error: `${name} must be a number between 0 and 1` }).min(0, `${name} must be between 0 and 1`).max(1, `${name} must be between 0 and 1`);
}

/** Targeted codes in the order draws are made: unique and sorted, whatever order the author wrote. */
export function targetCodes(loinc: string | readonly string[]): string[] {
  return [...new Set(typeof loinc === 'string' ? [loinc] : loinc)].sort();
}

/** "lactate (2524-7)", or a list of labels followed by "each independently,". */
export function describeCodes(loinc: string | readonly string[]): string {
  const codes = targetCodes(loinc).map(codeLabel);
  return codes.length === 1 ? codes[0]! : `${codes.join(', ')}, each independently,`;
}
