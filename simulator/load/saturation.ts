import { defaultMaxInFlight, type SaturationPhase } from './phase-schema.ts';
import { figuresOf } from './figures.ts';
import type { SaturationStep } from './load-report.ts';
import { runOpenModel, type Send } from './open-model.ts';
import { constantSchedule } from './schedule.ts';

/**
 * Saturation search: constant-arrival-rate steps at increasing rates, stopping at the first step
 * whose p99 exceeds the SLO or whose failures (errors plus dropped requests, over requests plus
 * dropped) exceed the budget. The highest sustainable rate is the last step that passed.
 * Bounded: at most the phase's steps, each bounded by its schedule and timeout.
 */

export interface SaturationResult {
  readonly steps: SaturationStep[];
  /** Index in `steps` of the highest sustainable step; null when the first step already failed. */
  readonly sustainable: number | null;
  readonly interrupted: boolean;
}

export interface SaturationOptions {
  readonly signal?: AbortSignal;
  readonly onStep?: (step: SaturationStep) => void;
  /** Checked before each step: a background-style stop ends the search early. */
  readonly stopped?: () => boolean;
}

/** Whether a step is sustainable, and why not. */
export function judgeStep(
  figures: Pick<SaturationStep, 'latency' | 'errors' | 'requests' | 'dropped'>,
  sloP99Ms: number,
  errorBudget: number,
): { sustainable: boolean; reason: string | null } {
  const attempted = figures.requests + figures.dropped;
  const failRate = attempted === 0 ? 1 : (figures.errors.total + figures.dropped) / attempted;
  if (figures.latency === null) return { sustainable: false, reason: 'no replies' };
  if (figures.latency.p99 > sloP99Ms) {
    return { sustainable: false, reason: `p99 ${figures.latency.p99} ms is above the SLO of ${sloP99Ms} ms` };
  }
  if (failRate > errorBudget) {
    return { sustainable: false, reason: `failures ${(failRate * 100).toFixed(2)}% are above the budget of ${(errorBudget * 100).toFixed(2)}%` };
  }
  return { sustainable: true, reason: null };
}

export async function runSaturation<B>(
  phase: SaturationPhase,
  bodies: readonly B[],
  send: Send<B>,
  options: SaturationOptions = {},
): Promise<SaturationResult> {
  const steps: SaturationStep[] = [];
  let sustainable: number | null = null;
  for (const rate of phase.ratesPerSecond) {
    if (options.signal?.aborted || options.stopped?.()) break;
    const run = runOpenModel({
      schedule: constantSchedule(rate, phase.stepDurationMs),
      bodies,
      send,
      timeoutMs: phase.timeoutMs,
      maxInFlight: phase.maxInFlight ?? defaultMaxInFlight(rate, phase.timeoutMs),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const result = await run.done;
    if (result.interrupted) return { steps, sustainable, interrupted: true };
    const figures = figuresOf(result);
    const step: SaturationStep = { rate, ...figures, ...judgeStep(figures, phase.sloP99Ms, phase.errorBudget) };
    steps.push(step);
    options.onStep?.(step);
    if (!step.sustainable) break;
    sustainable = steps.length - 1;
  }
  return { steps, sustainable, interrupted: options.signal?.aborted ?? false };
}
