import { build, type Histogram } from 'hdr-histogram-js';

/**
 * Latency histogram on hdr-histogram-js (pure JavaScript build: no WebAssembly to instantiate and
 * no memory to free). Values are recorded in whole microseconds with 3 significant digits (0.1%
 * relative error) up to an hour, and read back in milliseconds.
 */

/** Percentiles of a latency distribution, in milliseconds (microsecond resolution). */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

const HOUR_US = 3_600_000_000;
const toMs = (us: number): number => Math.round(us) / 1000;

export class LatencyHistogram {
  private readonly hdr: Histogram = build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HOUR_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  /** Records a latency given in milliseconds, `count` times (negative counts as 0, beyond an hour as an hour). */
  record(ms: number, count = 1): void {
    const us = Math.round(ms * 1000);
    const value = Number.isNaN(us) ? 0 : Math.min(Math.max(us, 0), HOUR_US);
    if (count === 1) this.hdr.recordValue(value);
    else if (count > 0) this.hdr.recordValueWithCount(value, count);
  }

  get count(): number {
    return this.hdr.totalCount;
  }

  /** The latency (ms) at or below which `percentile` % of the recorded values fall. */
  percentile(percentile: number): number {
    return toMs(this.hdr.getValueAtPercentile(percentile));
  }

  get maxMs(): number {
    return toMs(this.hdr.maxValue);
  }

  get meanMs(): number {
    return toMs(this.hdr.mean);
  }

  /** The report's percentiles, or null when nothing was recorded. */
  summary(): LatencySummary | null {
    if (this.count === 0) return null;
    // HDR percentiles report the top of their bucket, which can lie just above the exact maximum.
    const max = this.maxMs;
    const at = (p: number) => Math.min(this.percentile(p), max);
    return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max };
  }

  /**
   * Share of the recorded values above `ms` (to the histogram's resolution), found by bisecting
   * the percentile whose value first exceeds it.
   */
  fractionAbove(ms: number): number {
    if (this.count === 0) return 0;
    const us = ms * 1000;
    if (this.hdr.maxValue <= us) return 0;
    let lo = 0;
    let hi = 100;
    for (let i = 0; i < 50 && hi - lo > 1e-9; i++) {
      const mid = (lo + hi) / 2;
      if (this.hdr.getValueAtPercentile(mid) > us) hi = mid;
      else lo = mid;
    }
    return 1 - hi / 100;
  }

  add(other: LatencyHistogram): void {
    this.hdr.add(other.hdr);
  }

  reset(): void {
    this.hdr.reset();
  }
}
