import { convert, hasUnit, roundTo } from '../perturb/ucum.ts';
import { LOINC, UCUM } from './bundle-access.ts';

/**
 * Reading measurements out of a bundle for a flat table: the value of the most recent usable
 * Observation of a column's LOINC codes, expressed in the column's unit. Defensive: any JSON is
 * accepted (perturbed and fuzzed bundles, imported data), and what cannot be read is missing
 * (null), never thrown on and never guessed.
 *
 * Rules, in order:
 * 1. Candidates are Observations with a `code.coding` of system http://loinc.org whose code is one
 *    of the column's codes, and a status other than `entered-in-error` or `cancelled`.
 * 2. A candidate is usable when `valueQuantity.value` is a finite number without a `comparator`
 *    (a censored "< 0.3" is not the number 0.3), and its unit — `valueQuantity.code`, else
 *    `valueQuantity.unit`; when `system` is given it must be UCUM — is the column's unit or one the
 *    UCUM table (perturb/ucum.ts) converts to it for that LOINC code. A quantity without a unit is
 *    not usable: the number is ambiguous.
 * 3. The most recent usable candidate wins (effectiveDateTime / effectiveInstant /
 *    effectivePeriod.end, .start / issued); undated ones rank before dated ones, and among equal
 *    times the later entry in the bundle wins.
 * 4. A value in the column's unit is taken as is. A value in another unit is converted exactly
 *    (ucum.ts `convert`) and rounded to the column's `decimals`; by the precision rule of ucum.ts a
 *    value that shift.units re-expressed from the column's unit comes back as the original number.
 */

export interface QuantityColumn {
  /** LOINC codes whose Observations feed the column (the first is the main one). */
  readonly loinc: readonly [string, ...string[]];
  /** UCUM code of the column's unit; every code in `loinc` must know it in the UCUM table. */
  readonly unit: string;
  /** Decimals a converted value is rounded to (the precision the column is reported with). */
  readonly decimals: number;
}

const VOID_STATUS = new Set(['entered-in-error', 'cancelled']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Clinically relevant time of an Observation (epoch ms), if it has one. */
export function observationTime(obs: Record<string, unknown>): number | undefined {
  const period = isRecord(obs.effectivePeriod) ? obs.effectivePeriod : undefined;
  return (
    timeOf(obs.effectiveDateTime) ??
    timeOf(obs.effectiveInstant) ??
    (period ? (timeOf(period.end) ?? timeOf(period.start)) : undefined) ??
    timeOf(obs.issued)
  );
}

/**
 * A Quantity (any JSON) in the column's unit, or null when it is not usable (rule 2) for `loinc`.
 */
export function quantityInUnit(quantity: unknown, loinc: string, column: QuantityColumn): number | null {
  if (!isRecord(quantity)) return null;
  const value = quantity.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || quantity.comparator !== undefined) return null;
  if (quantity.system !== undefined && quantity.system !== UCUM) return null;
  const unit = typeof quantity.code === 'string' ? quantity.code : typeof quantity.unit === 'string' ? quantity.unit : undefined;
  if (unit === undefined) return null;
  if (unit === column.unit) return value;
  if (!hasUnit(loinc, unit) || !hasUnit(loinc, column.unit)) return null;
  const converted = roundTo(convert(value, unit, column.unit, loinc), column.decimals);
  return Number.isFinite(converted) ? converted : null;
}

/** The entries' resources of a bundle-shaped value, skipping whatever is not an object. */
export function bundleResources(bundle: unknown): Record<string, unknown>[] {
  if (!isRecord(bundle) || !Array.isArray(bundle.entry)) return [];
  const out: Record<string, unknown>[] = [];
  for (const e of bundle.entry as unknown[]) {
    if (isRecord(e) && isRecord(e.resource) && typeof e.resource.resourceType === 'string') out.push(e.resource);
  }
  return out;
}

function loincCodes(obs: Record<string, unknown>): string[] {
  const codings = isRecord(obs.code) && Array.isArray(obs.code.coding) ? (obs.code.coding as unknown[]) : [];
  const out: string[] = [];
  for (const c of codings) if (isRecord(c) && c.system === LOINC && typeof c.code === 'string') out.push(c.code);
  return out;
}

/**
 * One cell per column (in order): the column's value by the rules of the module comment, or null.
 * One pass over the bundle whatever the number of columns.
 */
export function quantityCells(bundle: unknown, columns: readonly QuantityColumn[]): (number | null)[] {
  const byLoinc = new Map<string, number[]>();
  columns.forEach((col, i) => {
    for (const code of col.loinc) byLoinc.set(code, [...(byLoinc.get(code) ?? []), i]);
  });
  const values: (number | null)[] = columns.map(() => null);
  const times: number[] = columns.map(() => Number.NaN);
  for (const r of bundleResources(bundle)) {
    if (r.resourceType !== 'Observation' || VOID_STATUS.has(String(r.status))) continue;
    for (const code of loincCodes(r)) {
      const targets = byLoinc.get(code);
      if (!targets) continue;
      for (const i of targets) {
        const value = quantityInUnit(r.valueQuantity, code, columns[i]!);
        if (value === null) continue;
        const t = observationTime(r) ?? Number.NEGATIVE_INFINITY;
        const seen = times[i]!;
        if (!Number.isNaN(seen) && t < seen) continue;
        times[i] = t;
        values[i] = value;
      }
      break; // the first LOINC coding the table knows decides which column an Observation feeds
    }
  }
  return values;
}
