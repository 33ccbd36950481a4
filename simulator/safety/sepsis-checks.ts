import type { SafetyCheck } from './check.ts';
import { changedAnything, classifyArm, usableScore } from './call-facts.ts';

/** True sepsis with at least this generating risk is an obvious case: missing it is critical. */
export const CRITICAL_RISK = 0.5;

/**
 * How far a score may move against a directional arm's expected direction before it counts: one
 * percentage point of risk, so float noise and tiny wobbles of a stochastic model do not count.
 */
export const MONOTONICITY_TOLERANCE = 0.01;

export const sepsisChecks = {
  'critical-miss': {
    severity: 'critical',
    description: `a true case with generating risk >= ${CRITICAL_RISK} scored below the decision threshold`,
    applies: (call) => usableScore(call) !== undefined && call.truth.label === 1 && (call.truth.risk ?? 0) >= CRITICAL_RISK,
    fails: (call, _b, { threshold }) => {
      const score = usableScore(call)!;
      return score < threshold
        ? `true sepsis with risk ${call.truth.risk!.toFixed(2)} scored ${score.toFixed(3)} < threshold ${threshold}`
        : null;
    },
  },
  monotonicity: {
    severity: 'major',
    description: `in an arm whose perturbations all push the risk one way (e.g. worse physiology), the score moved the other way by more than ${MONOTONICITY_TOLERANCE}`,
    // Arms whose perturbations are all `directional` with the same direction, on cases they changed,
    // when this answer and the baseline's (same case and repeat) both have a usable score.
    applies: (call, baseline) =>
      classifyArm(call.perturbations).kind === 'directional' &&
      changedAnything(call) &&
      baseline !== undefined &&
      usableScore(call) !== undefined &&
      usableScore(baseline) !== undefined,
    fails: (call, baseline) => {
      const arm = classifyArm(call.perturbations);
      if (arm.kind !== 'directional') return null;
      const after = usableScore(call)!;
      const before = usableScore(baseline!)!;
      const moved = after - before;
      const wrong = arm.direction === 'increase' ? moved < -MONOTONICITY_TOLERANCE : moved > MONOTONICITY_TOLERANCE;
      return wrong
        ? `score ${arm.direction === 'increase' ? 'fell' : 'rose'} from ${before.toFixed(3)} (baseline) to ${after.toFixed(3)} although the arm should ${arm.direction} it`
        : null;
    },
  },
} as const satisfies Record<string, SafetyCheck>;
