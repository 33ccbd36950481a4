import { z } from 'zod';
import type { Coding, Observation } from 'fhir/r4.js';
import { LOINC, mapEntries } from '../../fhir/bundle-access.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { describeCodes, LoincCodes, targetCodes } from '../missing/params.ts';
import { codePath } from './observations.ts';

/** Code system of the simulated site's own laboratory and flowsheet codes. */
export const LOCAL_LAB_SYSTEM = 'http://hospital.example.org/codes/lab';

/** FNV-1a, 32 bits: a fixed hash, so a LOINC code always gets the same local code. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The site's code for a LOINC code: "LAB" and five digits from a fixed hash of the LOINC code, so it
 * carries nothing a model could parse back into LOINC, and is the same in every case, arm and run
 * (one site, one dictionary).
 */
export function localCodeFor(loinc: string): string {
  return `LAB${String(10_000 + (fnv1a(loinc) % 90_000))}`;
}

export type ShiftLocalCodesParams = {
  /** LOINC code(s) to replace; omitted: every LOINC coding of every Observation. */
  loinc?: string | string[] | undefined;
};

const ShiftLocalCodesParams = z.strictObject({
  loinc: LoincCodes.optional(),
});

/**
 * shift.localCodes: a site that sends its own codes instead of LOINC. In every Observation that has
 * a targeted LOINC coding (any LOINC coding when `loinc` is omitted), each such coding is replaced
 * by a coding of LOCAL_LAB_SYSTEM with the site's code (`localCodeFor`) and the same display; other
 * codings, `code.text`, the value, unit, status and times are untouched. Deterministic (no draws).
 * The measurement is the same, so the expectation is `invariant`: a robust model maps the local
 * codes (or reads the display and text) and at the least does not change its decision.
 */
export const shiftLocalCodes: PerturbationDefinition<ShiftLocalCodesParams> = {
  family: 'shift',
  params: ShiftLocalCodesParams,
  example: { loinc: ['2524-7', '6690-2'] },
  describe: (p) => `${p.loinc === undefined ? 'every LOINC code' : describeCodes(p.loinc).replace(/, each independently,$/, '')} sent as local site codes (${LOCAL_LAB_SYSTEM})`,
  expectation: () => ({ kind: 'invariant' }),
  truthEffect: 'preserved',
  apply(c, params) {
    const targets = params.loinc === undefined ? undefined : new Set(targetCodes(params.loinc));
    const targeted = (coding: Coding): boolean => coding.system === LOINC && typeof coding.code === 'string' && (targets === undefined || targets.has(coding.code));
    const changes: Change[] = [];
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (r?.resourceType !== 'Observation' || !r.code?.coding?.some(targeted)) return entry;
      const coding = r.code.coding.map((cd) => {
        if (!targeted(cd)) return cd;
        const local = localCodeFor(cd.code!);
        changes.push({ path: codePath(cd.code!), before: `${LOINC}|${cd.code}`, after: `${LOCAL_LAB_SYSTEM}|${local}` });
        const out: Coding = { system: LOCAL_LAB_SYSTEM, code: local };
        if (cd.display !== undefined) out.display = cd.display;
        return out;
      });
      const next: Observation = { ...r, code: { ...r.code, coding } };
      return { ...entry, resource: next };
    });
    return changes.length === 0 ? { case: c, changes } : { case: { ...c, bundle }, changes };
  },
};
