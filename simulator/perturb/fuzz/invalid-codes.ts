import { z } from 'zod';
import type { BundleEntry } from 'fhir/r4.js';
import { LOINC, SNOMED } from '../../fhir/bundle-access.ts';
import type { Rng } from '../../random.ts';
import { loincCheckDigit } from '../missing/mcar.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { entriesOf, fuzzSubStream, hex8, indexOf, isObject, withEntries, type LooseObject } from './loose.ts';

/**
 * fuzz.invalidCodes: LOINC, SNOMED CT and RxNorm codes replaced by invalid ones, anywhere in the
 * bundle's resources (Observation.code, Condition.code, medications, allergies, the note's type…).
 * Each targeted coding is replaced with probability `rate` (default 1) by either
 * - a near miss: a well-formed code with a wrong check digit (LOINC: mod-10 Luhn; SNOMED CT: the
 *   Verhoeff digit of the SCTID) or, for RxNorm (no check digit; RxCUIs are digits only), the code
 *   with a letter appended; or
 * - garbage: `INVALID-<8 hex>`.
 * The display text is left as it was. The bundle stays valid against the FHIR JSON schema (a code
 * is any string without leading or trailing whitespace); it is the terminology that is wrong.
 *
 * Degrading, truth preserved (the patient is the same; the endpoint should reject or flag codes it
 * cannot resolve rather than misread the data).
 */

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const CODE_SYSTEMS = { loinc: LOINC, snomed: SNOMED, rxnorm: RXNORM } as const;
export type CodeSystemName = keyof typeof CODE_SYSTEMS;
const SYSTEM_NAMES = Object.keys(CODE_SYSTEMS) as CodeSystemName[];

export type FuzzInvalidCodesParams = {
  /** Probability that a targeted coding is replaced, 0–1 (default 1). */
  rate?: number;
  /** Code systems to target (default all three). */
  systems?: CodeSystemName[];
};

const FuzzInvalidCodesParams = z.strictObject({
  rate: z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  systems: z
    .array(z.enum(SYSTEM_NAMES, { error: `must be one of ${SYSTEM_NAMES.join(', ')}` }))
    .min(1, 'give at least one code system')
    .optional(),
});

// Verhoeff tables (dihedral group D5), as used by the SNOMED CT identifier check digit.
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/** Position permutations: P[i] is the permutation (1 5 7 6 2 8 3 0 9 4) applied i times. */
const P: number[][] = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]];
for (let i = 1; i < 8; i++) P.push(P[i - 1]!.map((j) => [1, 5, 7, 6, 2, 8, 3, 0, 9, 4][j]!));
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** Verhoeff check digit of a digit string. */
export function verhoeffCheckDigit(body: string): number {
  let c = 0;
  const digits = [...body].reverse();
  for (let i = 0; i < digits.length; i++) c = D[c]![P[(i + 1) % 8]![Number(digits[i])]!]!;
  return INV[c]!;
}

/** Whether a digit string ends in its Verhoeff check digit. */
export function verhoeffValid(code: string): boolean {
  if (!/^\d{2,}$/.test(code)) return false;
  return verhoeffCheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
}

/** A wrong digit for `correct`, from a uniform: one of the nine others. */
const wrongDigit = (correct: number, u: number): number => (correct + 1 + indexOf(u, 9)) % 10;

/** The invalid replacement for a code, from three uniforms and a hex string. */
export function invalidCode(system: CodeSystemName, code: string, uStyle: number, uDigit: number, hex: string): string {
  const garbage = `INVALID-${hex}`;
  if (uStyle >= 0.5) return garbage;
  if (system === 'loinc') {
    const m = /^(\d{1,7})-\d$/.exec(code);
    return m ? `${m[1]}-${wrongDigit(loincCheckDigit(m[1]!), uDigit)}` : garbage;
  }
  if (system === 'snomed') {
    if (!/^\d{6,18}$/.test(code)) return garbage;
    const body = code.slice(0, -1);
    return `${body}${wrongDigit(verhoeffCheckDigit(body), uDigit)}`;
  }
  return /^\d+$/.test(code) ? `${code}X` : garbage;
}

/**
 * Copy-on-write walk: returns `value` itself when nothing below it changed. `visit` sees every
 * object with string `system` and `code` (a Coding) and returns the replacement code or undefined.
 */
function mapCodings(value: unknown, path: string, visit: (coding: LooseObject, path: string) => string | undefined): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = mapCodings(item, `${path}[${i}]`, visit);
      if (next !== item) (out ??= [...value])[i] = next;
    });
    return out ?? value;
  }
  if (!isObject(value)) return value;
  let out: LooseObject | undefined;
  if (typeof value.system === 'string' && typeof value.code === 'string') {
    const code = visit(value, `${path}.code`);
    if (code !== undefined) out = { ...value, code };
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'code' && out) continue;
    const next = mapCodings(child, `${path}.${key}`, visit);
    if (next !== child) (out ??= { ...value })[key] = next;
  }
  return out ?? value;
}

export const fuzzInvalidCodes: PerturbationDefinition<FuzzInvalidCodesParams> = {
  family: 'fuzz',
  params: FuzzInvalidCodesParams,
  example: { rate: 1 },
  describe: (p) =>
    `invalid ${(p.systems ?? SYSTEM_NAMES).map((s) => (s === 'loinc' ? 'LOINC' : s === 'snomed' ? 'SNOMED CT' : 'RxNorm')).join('/')} codes${p.rate === undefined || p.rate === 1 ? '' : ` (rate ${p.rate})`}`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one int32 seeding the sub-stream (four draws per targeted coding, in document order), always.
    const sub: Rng = fuzzSubStream(ctx.rng, 'invalidCodes');
    const rate = params.rate ?? 1;
    const targets = new Map<string, CodeSystemName>((params.systems ?? SYSTEM_NAMES).map((s) => [CODE_SYSTEMS[s], s]));
    const changes: Change[] = [];
    const entries = entriesOf(c.bundle);
    const next = entries.map((entry, i): BundleEntry => {
      if (!isObject(entry) || entry.resource === undefined) return entry;
      const resource = mapCodings(entry.resource, `Bundle.entry[${i}].resource`, (coding, path) => {
        const system = targets.get(coding.system as string);
        if (system === undefined) return undefined;
        const hit = sub() < rate;
        const uStyle = sub();
        const uDigit = sub();
        const hex = hex8(sub);
        if (!hit) return undefined;
        const after = invalidCode(system, coding.code as string, uStyle, uDigit, hex);
        changes.push({ path, before: coding.code, after });
        return after;
      });
      return resource === entry.resource ? entry : { ...entry, resource: resource as BundleEntry['resource'] };
    });
    return changes.length === 0 ? { case: c, changes } : { case: withEntries(c, next), changes };
  },
};
