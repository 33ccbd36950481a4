import type { RampingStage } from './phase-schema.ts';

/**
 * An open model's schedule: the intended send time of every request, in milliseconds from the
 * start of the phase, non-decreasing, finite in number. Request n of a rate function r(t) is due
 * at the time t where the cumulative count ∫₀ᵗ r = n (so the first request is due at 0).
 */
export interface Schedule {
  /** How many requests the schedule holds. */
  readonly total: number;
  /** Nominal length of the schedule (ms). */
  readonly durationMs: number;
  /** Intended send times, in order. */
  times(): Iterator<number>;
}

/** `ratePerSecond` for `durationMs`: request n at n / rate, capped at `maxRequests`. */
export function constantSchedule(ratePerSecond: number, durationMs: number, maxRequests = Number.POSITIVE_INFINITY): Schedule {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
  const intervalMs = 1_000 / ratePerSecond;
  const total = Math.min(maxRequests, Math.ceil(durationMs / intervalMs - 1e-9));
  return {
    total,
    durationMs,
    *times() {
      for (let n = 0; n < total; n++) yield n * intervalMs;
    },
  };
}

/**
 * A rate moving linearly from `startRatePerSecond` through each stage's target over the stage's
 * duration (k6's ramping-arrival-rate). Within a stage of length D going from r0 to r1 (per ms),
 * the count after s ms is N(s) = r0·s + (r1 − r0)·s²/(2D); the time of the m-th request of the
 * stage solves N(s) = m, taken in the cancellation-free form s = 2m / (r0 + √(r0² + 4am)) with
 * a = (r1 − r0)/(2D), which also covers a flat stage (a = 0) and a ramp down (a < 0).
 */
export function rampingSchedule(
  startRatePerSecond: number,
  stages: readonly RampingStage[],
  maxRequests = Number.POSITIVE_INFINITY,
): Schedule {
  let cumulative = 0;
  let from = startRatePerSecond;
  for (const stage of stages) {
    cumulative += ((from + stage.targetPerSecond) / 2) * (stage.durationMs / 1_000);
    from = stage.targetPerSecond;
  }
  const total = Math.min(maxRequests, Math.ceil(cumulative - 1e-9));
  const durationMs = stages.reduce((sum, s) => sum + s.durationMs, 0);
  return {
    total,
    durationMs,
    *times() {
      let n = 0;
      let stageStartMs = 0;
      let countAtStageStart = 0;
      let r0 = startRatePerSecond / 1_000;
      for (const stage of stages) {
        const r1 = stage.targetPerSecond / 1_000;
        const d = stage.durationMs;
        const stageCount = ((r0 + r1) / 2) * d;
        const a = (r1 - r0) / (2 * d);
        while (n < total && n < countAtStageStart + stageCount - 1e-9) {
          const m = n - countAtStageStart;
          const s = m <= 0 ? 0 : (2 * m) / (r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * a * m)));
          yield stageStartMs + Math.min(s, d);
          n++;
        }
        stageStartMs += d;
        countAtStageStart += stageCount;
        r0 = r1;
      }
    },
  };
}
