/**
 * Latency counts in fixed logarithmic bins, for the report's distribution chart: ten bins per
 * decade from 0.01 ms to 10^6 ms (about 17 minutes, beyond any call deadline). Fixed edges make the
 * counts a streaming sum of a few dozen numbers per arm, whatever the number of calls, and make
 * the bins of two arms (or two shards) line up.
 */

const BINS_PER_DECADE = 10;
const LOWEST_DECADE = -2;
const DECADES = 8;
export const LATENCY_BIN_COUNT = BINS_PER_DECADE * DECADES;

export interface LatencyBin {
  /** Lower edge (inclusive), ms; the first bin also holds anything faster. */
  readonly lowerMs: number;
  /** Upper edge (exclusive), ms; the last bin also holds anything slower. */
  readonly upperMs: number;
  readonly count: number;
}

const edge = (k: number): number => 10 ** (k / BINS_PER_DECADE + LOWEST_DECADE);

/** The bin of a latency in ms (clamped to the first and last bin). */
export function latencyBinOf(ms: number): number {
  if (!(ms > edge(0))) return 0;
  let k = Math.floor((Math.log10(ms) - LOWEST_DECADE) * BINS_PER_DECADE);
  // log10 rounding can land one bin off an exact edge; the edges themselves decide.
  if (k > 0 && ms < edge(k)) k--;
  else if (ms >= edge(k + 1)) k++;
  return Math.min(Math.max(k, 0), LATENCY_BIN_COUNT - 1);
}

export class LatencyBins {
  private readonly counts = new Float64Array(LATENCY_BIN_COUNT);
  total = 0;

  add(ms: number): void {
    this.counts[latencyBinOf(ms)]!++;
    this.total++;
  }

  /** The bins from the first non-empty one to the last; empty when nothing was recorded. */
  bins(): LatencyBin[] {
    let first = 0;
    while (first < LATENCY_BIN_COUNT && this.counts[first] === 0) first++;
    let last = LATENCY_BIN_COUNT - 1;
    while (last >= first && this.counts[last] === 0) last--;
    const out: LatencyBin[] = [];
    for (let k = first; k <= last; k++) out.push({ lowerMs: edge(k), upperMs: edge(k + 1), count: this.counts[k]! });
    return out;
  }
}
