/**
 * Realized shift: what the perturbations of an arm actually moved, computed from the journal's
 * provenance alone (the `changes` of each record's `perturbations`), per variable.
 *
 * Every shift and missing kind records its variables with stable paths (docs/perturbations.md,
 * "Provenance paths"): `Observation[<loinc>].value` (a number; null when absent), `age`, `sex`,
 * `race`, `ethnicity`, `truth.label`, `truth.risk`, `truth.class`, `count(<Type>)`,
 * `Observation[<loinc>].code`. The missing kinds also record the values they decided to keep
 * (before = after), so the before and after distributions are those of every case the kind
 * examined, and a missing rate can be computed.
 *
 * Reading a change (`variablesOf`):
 * - a number, string or boolean is the value of the variable named by the path (non-finite
 *   numbers count as missing); null or undefined is "missing";
 * - a FHIR Quantity-like object (only `value`, `unit`, `system`, `code`, `comparator`) is its
 *   `value`, under the path with a trailing `.valueQuantity` replaced by `.value`, so
 *   `Observation[2524-7].valueQuantity` (shift.units) is the variable `Observation[2524-7].value`
 *   like the numbers the other kinds record;
 * - another object is read one level deep, `<path>.<key>` for each scalar member (an older
 *   journal's `truth` object gives `truth.label`, `truth.risk`); a null side gives null members;
 * - arrays and deeper structure are not variables and are skipped.
 *
 * Per case, changes of the same variable compose in arm order: the before of the first change and
 * the after of the last. A variable is numeric when every value is a number, else categorical
 * (numbers then read as strings); a categorical variable with more than `maxCategories` distinct
 * values (birth dates, timestamps, identifiers) is not a distribution and is left out.
 *
 * Statistics, before (reference) against after (current), missing values dropped: PSI with
 * Evidently's binning and zero fill (drift.ts `psi`), and for numeric variables the two-sample KS
 * test (ks.ts, scipy's ks_2samp). Both are null when a side has no value.
 */
import type { Change } from '../perturb/perturbation.ts';
import { psi } from './drift.ts';
import { ks2Samp } from './ks.ts';
import { ShiftColumn } from './shift-columns.ts';

export type Scalar = number | string;

export interface DistributionSummary {
  /** Cases with a value on this side. */
  readonly present: number;
  /** Cases where the variable was recorded but had no value on this side. */
  readonly missing: number;
  /** Numeric variables (null for categorical ones, or without values). */
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  readonly sd: number | null;
  readonly min: number | null;
  readonly median: number | null;
  readonly max: number | null;
  /** Categorical variables: share of each value among the present ones. */
  readonly shares?: Readonly<Record<string, number>>;
}

export interface RealizedShift {
  /** The variable (a provenance path after normalisation). */
  readonly path: string;
  readonly kind: 'numeric' | 'categorical';
  /** Cases that recorded the variable. */
  readonly n: number;
  /** n / cases of the arm (cases with no change at all included); null for an empty arm. */
  readonly coverage: number | null;
  readonly before: DistributionSummary;
  readonly after: DistributionSummary;
  /** PSI of after against before; null when a side has no value. */
  readonly psi: number | null;
  /** Two-sample KS of after against before (numeric only); null when not available. */
  readonly ks: { readonly statistic: number; readonly pValue: number } | null;
  /**
   * Share of the cases with a value before that have none after (the realized missing rate of a
   * missingness kind); present when a value is missing on either side.
   */
  readonly missingRate?: number;
}

export interface RealizedShiftOptions {
  /** Categorical variables with more distinct values than this are left out (default 20). */
  readonly maxCategories?: number;
  /** Only variables for which this returns true (default: all). */
  readonly include?: (path: string) => boolean;
  /** Compute the KS test for numeric variables (default true). */
  readonly ks?: boolean;
}

export const DEFAULT_MAX_CATEGORIES = 20;

const QUANTITY_KEYS: ReadonlySet<string> = new Set(['value', 'unit', 'system', 'code', 'comparator']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scalar value, null for missing, undefined for something that is not a value. */
function scalar(v: unknown): Scalar | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

function isQuantityLike(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => QUANTITY_KEYS.has(k)) && ('value' in v || 'code' in v || 'unit' in v);
}

function quantityVariable(path: string): string {
  return `${path.replace(/\.valueQuantity$/, '').replace(/\.value$/, '')}.value`;
}

type Side = Map<string, Scalar | null> | 'missing' | undefined;

function side(path: string, v: unknown): Side {
  const s = scalar(v);
  if (s === null) return 'missing';
  if (s !== undefined) return new Map([[path, s]]);
  if (!isPlainObject(v)) return undefined;
  if (isQuantityLike(v)) return new Map([[quantityVariable(path), scalar(v.value) ?? null]]);
  const out = new Map<string, Scalar | null>();
  for (const [key, member] of Object.entries(v)) {
    const m = scalar(member);
    if (m !== undefined) out.set(`${path}.${key}`, m);
  }
  return out.size === 0 ? undefined : out;
}

/** The variables a change records, each with its before and after value (null: missing). */
export function variablesOf(change: Change): Map<string, [Scalar | null, Scalar | null]> {
  const out = new Map<string, [Scalar | null, Scalar | null]>();
  const b = side(change.path, change.before);
  const a = side(change.path, change.after);
  if (b === undefined || a === undefined) return out;
  if (b === 'missing' && a === 'missing') {
    out.set(change.path, [null, null]);
    return out;
  }
  const keys = new Set<string>([...(b === 'missing' ? [] : b.keys()), ...(a === 'missing' ? [] : a.keys())]);
  for (const k of keys) out.set(k, [b === 'missing' ? null : (b.get(k) ?? null), a === 'missing' ? null : (a.get(k) ?? null)]);
  return out;
}

interface Accumulated {
  readonly before: (Scalar | null)[];
  readonly after: (Scalar | null)[];
}

/**
 * Realized shift of an arm, fed one case at a time as the journal streams past: each case's changes
 * are composed into variables at once and only their values are kept (shift-columns.ts), so memory
 * is a few bytes per case and variable, not the provenance objects.
 */
export class RealizedShiftAccumulator {
  /** Cases added, touched or not. */
  cases = 0;
  private readonly byPath = new Map<string, ShiftColumn>();
  private readonly maxCategories: number;

  constructor(private readonly options: RealizedShiftOptions = {}) {
    this.maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  }

  /** One case's changes: all its perturbations' in arm order (an empty list for an untouched case). */
  add(changes: readonly Change[]): void {
    this.cases++;
    const composed = new Map<string, [Scalar | null, Scalar | null]>();
    for (const change of changes) {
      for (const [variable, [before, after]] of variablesOf(change)) {
        if (this.options.include && !this.options.include(variable)) continue;
        const seen = composed.get(variable);
        composed.set(variable, seen ? [seen[0], after] : [before, after]);
      }
    }
    for (const [variable, [before, after]] of composed) {
      let column = this.byPath.get(variable);
      if (!column) this.byPath.set(variable, (column = new ShiftColumn(this.maxCategories)));
      column.push(before, after);
    }
  }

  /** One entry per variable recorded, sorted by path. */
  result(): RealizedShift[] {
    const out: RealizedShift[] = [];
    for (const path of [...this.byPath.keys()].sort()) {
      const column = this.byPath.get(path)!;
      if (column.dropped) continue;
      const entry = summarise(path, column.values(), this.cases, this.maxCategories, this.options.ks !== false);
      if (entry) out.push(entry);
    }
    return out;
  }
}

/**
 * Realized shift of an arm: one entry per variable its perturbations recorded, sorted by path.
 * `changesOfArm` holds one list per case of the arm (all its perturbations' changes in arm order;
 * an empty list for a case nothing touched), e.g. `armChanges(records, arm)`.
 */
export function realizedShift(changesOfArm: Iterable<readonly Change[]>, options: RealizedShiftOptions = {}): RealizedShift[] {
  const accumulator = new RealizedShiftAccumulator(options);
  for (const changes of changesOfArm) accumulator.add(changes);
  return accumulator.result();
}

function summarise(path: string, acc: Accumulated, cases: number, maxCategories: number, withKs: boolean): RealizedShift | undefined {
  const all = [...acc.before, ...acc.after].filter((v): v is Scalar => v !== null);
  const numeric = all.every((v) => typeof v === 'number');
  const kind = numeric ? 'numeric' : 'categorical';
  if (!numeric && new Set(all.map(String)).size > maxCategories) return undefined;
  const n = acc.before.length;
  let presentBefore = 0;
  let wentMissing = 0;
  let anyMissing = false;
  for (let i = 0; i < n; i++) {
    if (acc.before[i] === null || acc.after[i] === null) anyMissing = true;
    if (acc.before[i] !== null) {
      presentBefore++;
      if (acc.after[i] === null) wentMissing++;
    }
  }
  const result: RealizedShift = {
    path,
    kind,
    n,
    coverage: cases === 0 ? null : n / cases,
    before: summary(acc.before, numeric),
    after: summary(acc.after, numeric),
    ...compare(acc.before, acc.after, numeric, withKs),
  };
  return anyMissing && presentBefore > 0 ? { ...result, missingRate: wentMissing / presentBefore } : result;
}

function compare(
  before: readonly (Scalar | null)[],
  after: readonly (Scalar | null)[],
  numeric: boolean,
  withKs: boolean,
): { psi: number | null; ks: { statistic: number; pValue: number } | null } {
  if (numeric) {
    const b = before.filter((v): v is number => typeof v === 'number');
    const a = after.filter((v): v is number => typeof v === 'number');
    if (b.length === 0 || a.length === 0) return { psi: null, ks: null };
    const ks = withKs ? ks2Samp(b, a) : null;
    return { psi: finiteOrNull(psi(b, a, 'numeric')), ks: ks ? { statistic: ks.statistic, pValue: ks.pValue } : null };
  }
  const b = before.filter((v): v is Scalar => v !== null).map(String);
  const a = after.filter((v): v is Scalar => v !== null).map(String);
  if (b.length === 0 || a.length === 0) return { psi: null, ks: null };
  return { psi: finiteOrNull(psi(b, a, 'categorical')), ks: null };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function summary(values: readonly (Scalar | null)[], numeric: boolean): DistributionSummary {
  const present = values.filter((v): v is Scalar => v !== null);
  const missing = values.length - present.length;
  if (!numeric) {
    const counts = new Map<string, number>();
    for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    const shares: Record<string, number> = {};
    for (const key of [...counts.keys()].sort()) shares[key] = counts.get(key)! / present.length;
    return { present: present.length, missing, mean: null, sd: null, min: null, median: null, max: null, shares };
  }
  const xs = Float64Array.from(present as number[]).sort();
  if (xs.length === 0) return { present: 0, missing, mean: null, sd: null, min: null, median: null, max: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const mid = xs.length >> 1;
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return {
    present: xs.length,
    missing,
    mean,
    sd: xs.length < 2 ? null : Math.sqrt(ss / (xs.length - 1)),
    min: xs[0]!,
    median,
    max: xs[xs.length - 1]!,
  };
}

// ---------------------------------------------------------------------------------------------
// From journal records.

/** The part of a journal record the realized figures read. */
export interface ProvenanceRecord {
  readonly arm: string;
  readonly case: number;
  readonly perturbations: readonly { readonly changes: readonly Change[] }[];
}

/** All changes of a record, its perturbations' in arm order. */
export function changesOfRecord(record: Pick<ProvenanceRecord, 'perturbations'>): Change[] {
  return record.perturbations.flatMap((p) => p.changes);
}

/**
 * One list of changes per distinct case of `arm` (the first record of each case: repeats of a case
 * carry the same perturbed case and provenance), in the order cases first appear.
 */
export function armChanges(records: Iterable<ProvenanceRecord>, arm: string): Change[][] {
  const seen = new Set<number>();
  const out: Change[][] = [];
  for (const r of records) {
    if (r.arm !== arm || seen.has(r.case)) continue;
    seen.add(r.case);
    out.push(changesOfRecord(r));
  }
  return out;
}

export interface RealizedPrevalence {
  /** Distinct cases with a binary label. */
  readonly cases: number;
  readonly positives: number;
  /** positives / cases; null without labelled cases. */
  readonly prevalence: number | null;
}

/**
 * Realized prevalence of an arm: the share of label 1 among its distinct cases, from the truth each
 * journal record carries (the perturbed case's truth, so shift.prevalence and the regenerating
 * kinds show through). Independent of the model's answers: every case counts once, whatever its
 * outcome or number of repeats. Pass the records of one arm (or filter with `arm`).
 */
export function realizedPrevalence(
  records: Iterable<{ readonly arm?: string; readonly case: number; readonly truth: { readonly label?: 0 | 1 | undefined } }>,
  arm?: string,
): RealizedPrevalence {
  const seen = new Set<number>();
  let cases = 0;
  let positives = 0;
  for (const r of records) {
    if ((arm !== undefined && r.arm !== arm) || seen.has(r.case)) continue;
    seen.add(r.case);
    if (r.truth.label === undefined) continue;
    cases++;
    positives += r.truth.label;
  }
  return { cases, positives, prevalence: cases === 0 ? null : positives / cases };
}
