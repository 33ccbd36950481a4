/**
 * The model inputs of one arm, column by column, as the journal's `features` give them (the task's
 * tabular view of the perturbed bundle, written on the repeat-0 record of each case). Numbers are
 * kept in a Float64Array per column (NaN = missing); the rare text cells (codes such as an RxNorm
 * id) in a sparse map, so memory is about 8 bytes per (case, feature).
 *
 * Only the first {@link DRIFT_SAMPLE_CASES} patients of the cohort (by index) are kept, so memory
 * stays bounded for very large cohorts (13 sepsis features × 100,000 cases ≈ 10 MB per arm). The
 * rule depends on the case index alone, so a sharded run merges to the same sample, and generated
 * patients are independent draws, so the first cases are a random sample of the cohort.
 */

/** Drift uses at most this many patients per arm: those with index below it. */
export const DRIFT_SAMPLE_CASES = 100_000;

/** A cell of the tabular view: a number, a category, or missing. */
export type FeatureValue = number | string | null;

interface Column {
  readonly numbers: Float64Array;
  strings: Map<number, string> | null;
}

export class FeatureColumns {
  /** Column names in first-seen order. */
  readonly names: string[] = [];
  private readonly columns = new Map<string, Column>();
  private readonly present: Uint8Array;

  readonly size: number;

  constructor(cohortSize: number, cap = DRIFT_SAMPLE_CASES) {
    this.size = Math.min(cohortSize, cap);
    this.present = new Uint8Array(this.size);
  }

  /** Records a case's inputs; later records of the same case (other repeats) are ignored. */
  add(caseIndex: number, features: Readonly<Record<string, FeatureValue>>): void {
    if (caseIndex >= this.size || this.present[caseIndex] === 1) return;
    this.present[caseIndex] = 1;
    for (const [name, value] of Object.entries(features)) {
      let column = this.columns.get(name);
      if (!column) {
        column = { numbers: new Float64Array(this.size).fill(NaN), strings: null };
        this.columns.set(name, column);
        this.names.push(name);
      }
      if (typeof value === 'number') column.numbers[caseIndex] = value;
      else if (typeof value === 'string') (column.strings ??= new Map()).set(caseIndex, value);
    }
  }

  /** Cases whose inputs were recorded. */
  get cases(): number {
    let n = 0;
    for (const p of this.present) n += p;
    return n;
  }

  /** The column's cells over the recorded cases, in case order (null = missing or never given). */
  values(name: string): FeatureValue[] {
    const column = this.columns.get(name);
    const out: FeatureValue[] = [];
    for (let c = 0; c < this.size; c++) {
      if (this.present[c] !== 1) continue;
      if (!column) {
        out.push(null);
        continue;
      }
      const text = column.strings?.get(c);
      if (text !== undefined) out.push(text);
      else out.push(Number.isNaN(column.numbers[c]!) ? null : column.numbers[c]!);
    }
    return out;
  }
}
