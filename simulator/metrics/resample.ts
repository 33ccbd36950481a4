/**
 * The index source of the bootstrap: which cases a resample draws.
 *
 * A resample of n cases takes n uniform index draws, so with B = 1000 resamples of 100,000 cases
 * the draws outnumber every other operation of an interval. They used to come from seedrandom's
 * Alea through its closure and float conversion; here they come from sfc32 (Chris
 * Doty-Humphrey's Small Fast Counting generator: 128-bit state, passes PractRand and BigCrush), a
 * few integer operations inlined in the counting loop, and an index is taken from each 32-bit
 * output by Lemire's multiply-and-reject, which is exactly uniform (no modulo bias) without a
 * division in the common case. What remains of a draw's cost is mostly the scattered increment of
 * the count array (`npm run bench -- statistics` reports both).
 *
 * Lineage is unchanged: the sfc32 state is seeded from the named seedrandom stream
 * (`stream('bootstrap', seed, ...key)`), so the intervals still derive from (seed, key) alone.
 * Only the numbers of the draws changed when this generator replaced Alea; the tests compare runs
 * with each other, never with stored intervals.
 */
import type { Rng } from '../random.ts';

const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;
/** Below this n, x · n (x < 2^32) is an exact integer in a double, so the rejection step is exact. */
const EXACT_N = 2 ** 21;

/** A stateful, seeded source of uniform case indices (sfc32 underneath). */
export class IndexSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds a, b, c from three 32-bit draws of `seedStream`, the counter d at 1, and discards 12 outputs, as sfc32's author recommends. */
  constructor(seedStream: Rng) {
    this.a = seedStream.int32() >>> 0;
    this.b = seedStream.int32() >>> 0;
    this.c = seedStream.int32() >>> 0;
    this.d = 1; // the counter word; starting it at 1 rules out the all-zero state
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** The next 32-bit output, as an unsigned integer. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /**
   * Multinomial(n; 1/n, ..., 1/n) counts into `counts` (length n): n uniform index draws, O(n).
   * The generator is inlined here (state in locals) because this loop is the hot path of every
   * bootstrap; it is the same sequence {@link next32} produces.
   */
  fillCounts(counts: Float64Array): void {
    const n = counts.length;
    counts.fill(0);
    if (n === 0) return;
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    if (n < EXACT_N) {
      // Lemire (2019): index = floor(x · n / 2^32); reject when the low part falls below (2^32 - n) mod n.
      const threshold = (TWO_32 - n) % n;
      for (let i = 0; i < n; ) {
        const t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (((c << 21) | (c >>> 11)) + t) | 0;
        const m = (t >>> 0) * n; // exact: below 2^53
        const index = (m * INV_TWO_32) | 0; // floor(m / 2^32), exact scaling by a power of two
        if (m - index * TWO_32 < threshold) continue; // rare: probability below n / 2^32
        counts[index]!++;
        i++;
      }
      this.a = a;
      this.b = b;
      this.c = c;
      this.d = d;
      return;
    }
    // Very large n: a 53-bit uniform from two outputs; the bias is below n / 2^53.
    for (let i = 0; i < n; i++) {
      const u = (this.next32() * 2 ** 21 + (this.next32() >>> 11)) / 2 ** 53;
      counts[Math.floor(u * n)]!++;
    }
  }
}
