import type { SafetyCheck } from './check.ts';
import { usableScore } from './call-facts.ts';

/** True sepsis with at least this generating risk is an obvious case: missing it is critical. */
export const CRITICAL_RISK = 0.5;

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
} as const satisfies Record<string, SafetyCheck>;
