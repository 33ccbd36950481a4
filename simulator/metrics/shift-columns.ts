/**
 * Before and after values of one realized-shift variable (realized-shift.ts), kept compactly while
 * the journal streams past: numbers in growable Float64Arrays (NaN = missing), text as codes into a
 * small dictionary. Keeping the provenance objects themselves would cost a few hundred bytes per
 * case (path strings, Quantity objects) and grow with the cohort; this costs 16 bytes per case and
 * variable.
 *
 * A variable starts numeric and turns categorical at its first text value, its numbers then read as
 * text (`String(x)` of the stored double is the text of the number it came from). A categorical
 * variable with more than `maxCategories` distinct values is not a distribution (identifiers,
 * dates): it is dropped, and stops storing anything.
 */
import type { Scalar } from './realized-shift.ts';

const MISSING_CODE = -1;
const INITIAL_CAPACITY = 64;

function grown<T extends Float64Array | Int32Array>(array: T, length: number): T {
  if (length < array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(INITIAL_CAPACITY, array.length * 2));
  bigger.set(array);
  return bigger;
}

export class ShiftColumn {
  /** Cases that recorded the variable. */
  length = 0;
  /** True once the variable has more distinct text values than the limit. */
  dropped = false;
  private numbers: { before: Float64Array; after: Float64Array } | null = {
    before: new Float64Array(INITIAL_CAPACITY),
    after: new Float64Array(INITIAL_CAPACITY),
  };
  private codes: { before: Int32Array; after: Int32Array } | null = null;
  private readonly dictionary: string[] = [];
  private readonly codeOf = new Map<string, number>();

  constructor(private readonly maxCategories: number) {}

  push(before: Scalar | null, after: Scalar | null): void {
    if (this.dropped) return;
    if (this.numbers && (typeof before === 'string' || typeof after === 'string')) this.toCategorical();
    if (this.dropped) return;
    const i = this.length++;
    if (this.numbers) {
      const n = (this.numbers = { before: grown(this.numbers.before, i), after: grown(this.numbers.after, i) });
      n.before[i] = before === null ? NaN : (before as number);
      n.after[i] = after === null ? NaN : (after as number);
      return;
    }
    const c = (this.codes = { before: grown(this.codes!.before, i), after: grown(this.codes!.after, i) });
    c.before[i] = this.code(before);
    c.after[i] = this.code(after);
  }

  /** The stored values, in the order they came (null = missing). */
  values(): { before: (Scalar | null)[]; after: (Scalar | null)[] } {
    if (this.dropped) return { before: [], after: [] };
    const read = <T extends Float64Array | Int32Array>(array: T, value: (x: number) => Scalar | null) =>
      Array.from(array.subarray(0, this.length), value);
    if (this.numbers) {
      const number = (x: number) => (Number.isNaN(x) ? null : x);
      return { before: read(this.numbers.before, number), after: read(this.numbers.after, number) };
    }
    const codes = this.codes!;
    const text = (k: number) => (k === MISSING_CODE ? null : this.dictionary[k]!);
    return { before: read(codes.before, text), after: read(codes.after, text) };
  }

  private toCategorical(): void {
    const { before, after } = this.numbers!;
    this.numbers = null;
    const codes = { before: new Int32Array(Math.max(INITIAL_CAPACITY, this.length)), after: new Int32Array(Math.max(INITIAL_CAPACITY, this.length)) };
    this.codes = codes;
    for (let i = 0; i < this.length && !this.dropped; i++) {
      codes.before[i] = this.code(Number.isNaN(before[i]!) ? null : before[i]!);
      codes.after[i] = this.code(Number.isNaN(after[i]!) ? null : after[i]!);
    }
  }

  private code(value: Scalar | null): number {
    if (value === null || this.dropped) return MISSING_CODE;
    const text = String(value);
    let k = this.codeOf.get(text);
    if (k === undefined) {
      k = this.dictionary.length;
      this.dictionary.push(text);
      this.codeOf.set(text, k);
      if (this.dictionary.length > this.maxCategories) this.drop();
    }
    return k;
  }

  private drop(): void {
    this.dropped = true;
    this.numbers = null;
    this.codes = null;
    this.dictionary.length = 0;
    this.codeOf.clear();
  }
}
