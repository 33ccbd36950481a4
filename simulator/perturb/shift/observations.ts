import type { Bundle, Observation } from 'fhir/r4.js';
import { ageAt } from '../../cohort/group.ts';
import { LOINC, patientOf } from '../../fhir/bundle-access.ts';
import { quantityCells } from '../../fhir/observation-value.ts';
import { decimalsOf, hasUnit, inputDecimals, isUnitLoinc, MAX_INPUT_DECIMALS, UNIT_TABLE } from '../ucum.ts';

/**
 * Observation helpers shared by the shift and missing kinds, and the provenance path convention
 * the realized-shift metric reads (docs/perturbations.md, "Provenance paths"):
 *
 * - `Observation[<loinc>].value`: the numeric value of an Observation coded <loinc> (its first
 *   LOINC coding), before and after; `null` when it has no value (removed, withheld).
 * - `Observation[<loinc>].code`: a coding as a FHIR token `system|code`.
 * - `age` (completed years), `sex`, `race`, `ethnicity` (codes), `truth.label`, `truth.risk`,
 *   `truth.class`: the demographics and truth a regenerating kind changed.
 */

/** Provenance path of the value of the Observations coded `loinc`. */
export function valuePath(loinc: string): string {
  return `Observation[${loinc}].value`;
}

/** Provenance path of a coding of the Observations coded `loinc`. */
export function codePath(loinc: string): string {
  return `Observation[${loinc}].code`;
}

/** LOINC codes of an Observation's `code.coding`, in order. */
export function loincCodesOf(obs: Observation): string[] {
  const out: string[] = [];
  for (const c of obs.code?.coding ?? []) if (c.system === LOINC && typeof c.code === 'string') out.push(c.code);
  return out;
}

/** A finite `valueQuantity.value` without a comparator, else undefined. */
export function numericValue(obs: Observation): number | undefined {
  const v = obs.valueQuantity?.value;
  return typeof v === 'number' && Number.isFinite(v) && obs.valueQuantity?.comparator === undefined ? v : undefined;
}

/** UCUM code of the Observation's quantity (`code`, else `unit`). */
export function unitOf(obs: Observation): string | undefined {
  return obs.valueQuantity?.code ?? obs.valueQuantity?.unit;
}

/**
 * Decimals a value is reported with: its own (shortest representation), at least the conventional
 * decimals of its unit when the UCUM table knows the unit for the code.
 */
export function reportedDecimals(value: number, unit: string | undefined, loinc: string | undefined): number {
  if (loinc !== undefined && unit !== undefined && hasUnit(loinc, unit)) return inputDecimals(value, unit, loinc);
  return Math.min(MAX_INPUT_DECIMALS, decimalsOf(value));
}

/** The Observation with another `valueQuantity.value` (a copy; the input is not touched). */
export function withValue(obs: Observation, value: number): Observation {
  return { ...obs, valueQuantity: { ...obs.valueQuantity, value } };
}

/** Physical bounds of a reported value: never negative, a percentage at most 100, GCS 3..15. */
export function physicalBounds(loinc: string | undefined, unit: string | undefined): [number, number] {
  if (loinc === '9269-2') return [3, 15];
  if (unit === '%') return [0, 100];
  if (unit === '1' && (loinc === '59408-5' || loinc === '2708-6')) return [0, 1];
  return [0, Number.POSITIVE_INFINITY];
}

/**
 * The value of a conditioning variable in a case: `age` in completed years at Bundle.timestamp, or
 * the most recent usable value of a LOINC code (fhir/observation-value.ts rules). For a code the
 * UCUM table knows, the value is expressed in the unit the generators write (the table's first
 * unit), so a threshold keeps its meaning after a shift.units; for another code it is the raw
 * number of the most recent Observation with a value. Undefined when the case does not have it.
 */
export function variableValue(bundle: Bundle, variable: string): number | undefined {
  if (variable === 'age') return ageAt(patientOf(bundle)?.birthDate, bundle.timestamp);
  if (isUnitLoinc(variable)) {
    const [v] = quantityCells(bundle, [{ loinc: [variable], unit: UNIT_TABLE[variable].canonical, decimals: MAX_INPUT_DECIMALS }]);
    return v ?? undefined;
  }
  let out: number | undefined;
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType !== 'Observation' || !loincCodesOf(r).includes(variable)) continue;
    const v = numericValue(r);
    if (v !== undefined) out = v;
  }
  return out;
}

/** A threshold test on a variable: strictly above `above` (when given) and strictly below `below` (when given). */
export interface Band {
  above?: number | undefined;
  below?: number | undefined;
}

export function inBand(value: number, band: Band): boolean {
  return (band.above === undefined || value > band.above) && (band.below === undefined || value < band.below);
}

export function describeBand(name: string, band: Band): string {
  if (band.above !== undefined && band.below !== undefined) return `${band.above} < ${name} < ${band.below}`;
  return band.above !== undefined ? `${name} > ${band.above}` : `${name} < ${band.below}`;
}

/** "lactate (2524-7)" for codes the unit table names, else "LOINC 1234-5". */
export function codeLabel(code: string): string {
  return isUnitLoinc(code) ? `${UNIT_TABLE[code].name} (${code})` : `LOINC ${code}`;
}
