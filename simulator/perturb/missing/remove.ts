import type { Observation } from 'fhir/r4.js';
import { hasLoinc, mapEntries } from '../../fhir/bundle-access.ts';
import { quantityInUnit } from '../../fhir/observation-value.ts';
import type { Case } from '../../case.ts';
import type { Change, PerturbResult } from '../perturbation.ts';
import { numericValue, valuePath } from '../shift/observations.ts';
import { isUnitLoinc, MAX_INPUT_DECIMALS, UNIT_TABLE } from '../ucum.ts';

/**
 * Removes targeted Observations and records every decided value: `Observation[<code>].value`
 * before → null for a removed Observation, before → before for a kept one that has a numeric value
 * (so the realized missing rate and the before/after distributions can be read from the provenance
 * alone). `codes` are the targeted codes in decision order (sorted); an Observation matching several
 * is decided under the first. Returns the input case itself when nothing was removed.
 */
export function removeWhere(c: Case, codes: readonly string[], remove: (obs: Observation, code: string) => boolean): PerturbResult {
  const changes: Change[] = [];
  let removedAny = false;
  const bundle = mapEntries(c.bundle, (entry) => {
    const r = entry.resource;
    if (r?.resourceType !== 'Observation') return entry;
    const code = codes.find((l) => hasLoinc(r, l));
    if (code === undefined) return entry;
    const value = numericValue(r) ?? null;
    if (remove(r, code)) {
      removedAny = true;
      changes.push({ path: valuePath(code), before: value, after: null });
      return null;
    }
    if (value !== null) changes.push({ path: valuePath(code), before: value, after: value });
    return entry;
  });
  return { case: removedAny ? { ...c, bundle } : c, changes };
}

/** removeWhere with one decision per code (true: remove all of the code's Observations). */
export function removeDecided(c: Case, decisions: ReadonlyMap<string, boolean>): PerturbResult {
  return removeWhere(c, [...decisions.keys()], (_obs, code) => decisions.get(code) === true);
}

/**
 * An Observation's value in the unit the generators write for `loinc` (the UCUM table's first unit),
 * converted when it is in another unit the table knows; for a code the table does not know, the raw
 * number. Undefined when it has no usable numeric value.
 */
export function canonicalValue(obs: Observation, loinc: string): number | undefined {
  if (!isUnitLoinc(loinc)) return numericValue(obs);
  const v = quantityInUnit(obs.valueQuantity, loinc, { loinc: [loinc], unit: UNIT_TABLE[loinc].canonical, decimals: MAX_INPUT_DECIMALS });
  return v ?? undefined;
}
