import { z } from 'zod';
import { Executor } from './phase-schema.ts';

/**
 * One entry of a scenario's `load` list in report.json: one per phase, in the scenario's order.
 *
 * - `latency` (ms): open-model phases measure from each request's intended send time (coordinated
 *   omission corrected); a closed phase measures service time (write to reply). Replies of any
 *   status and timeouts (at their elapsed time) are counted; transport failures without a reply
 *   are not. Null when nothing was recorded.
 * - `throughput`: replies (of any HTTP status) per second over `durationMs`.
 * - `requests`: requests whose outcome is known (replies, errors, timeouts). `dropped` requests
 *   (due while the in-flight cap was reached, so never sent) are not among them.
 * - `errors.byType`: `timeout`, `transport`, `http-status`, `invalid-response`, …
 * - `errorRate`: errors.total / requests (null when no request finished).
 * - `schedulingErrorP99Ms`: how late the generator sent (open model); a check on the figures above.
 * - saturation: `curve` holds every step; the phase-level figures are those of the highest
 *   sustainable step (of the first step when none was), and `sustainableRate` is its rate (or null).
 */

export const LoadLatency = z.object({
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});
export type LoadLatency = z.infer<typeof LoadLatency>;

export const LoadErrors = z.object({
  total: z.number().int().nonnegative(),
  byType: z.record(z.string(), z.number().int().nonnegative()),
});
export type LoadErrors = z.infer<typeof LoadErrors>;

/** The figures every phase (and every saturation step) has. */
export const LoadFigures = z.object({
  durationMs: z.number().nonnegative(),
  requests: z.number().int().nonnegative(),
  throughput: z.number().nonnegative(),
  latency: LoadLatency.nullable(),
  errors: LoadErrors,
  errorRate: z.number().min(0).max(1).nullable(),
  dropped: z.number().int().nonnegative(),
  /**
   * Open model only (null for closed phases): p99 of actual minus intended send time. When it is
   * large the generator, not the target, fell behind, and the latencies include that lag.
   */
  schedulingErrorP99Ms: z.number().nonnegative().nullable(),
});
export type LoadFigures = z.infer<typeof LoadFigures>;

export const SaturationStep = LoadFigures.extend({
  /** Offered rate of the step, per second. */
  rate: z.number().positive(),
  /** p99 within the SLO and failures (errors and dropped) within the budget. */
  sustainable: z.boolean(),
  /** Why the step is not sustainable; null when it is. */
  reason: z.string().nullable(),
});
export type SaturationStep = z.infer<typeof SaturationStep>;

export const LoadPhaseReport = LoadFigures.extend({
  name: z.string(),
  executor: Executor,
  background: z.boolean(),
  /** The normalised phase options (rates per second, times in ms). */
  config: z.record(z.string(), z.unknown()),
  /** Saturation only: the highest sustainable rate (per second), null when even the first step failed. */
  sustainableRate: z.number().positive().nullable().optional(),
  /** Saturation only: the rate-vs-latency curve, one entry per step run. */
  curve: z.array(SaturationStep).optional(),
});
export type LoadPhaseReport = z.infer<typeof LoadPhaseReport>;

export const LoadReport = z.array(LoadPhaseReport);
export type LoadReport = z.infer<typeof LoadReport>;
