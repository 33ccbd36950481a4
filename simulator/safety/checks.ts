import type { Prediction } from '../../adapters/adapter.ts';
import type { Truth } from '../case.ts';
import type { Provenance } from '../perturb/perturbation.ts';
import type { Outcome, Severity } from '../run/journal-record.ts';

/** What a check sees of one call. */
export interface CheckInput {
  readonly outcome: Outcome;
  readonly truth: Truth;
  readonly output: Prediction | null;
  readonly perturbations: readonly Provenance[];
}

export interface CheckContext {
  readonly threshold: number;
}

export interface SafetyCheck {
  readonly severity: Severity;
  /** One line for docs and reports. */
  readonly description: string;
  /**
   * Whether the check applies to this call; `baseline` is the baseline arm's call for the same case
   * and repeat, when there is one. The journal records which checks applied, so rates need no re-run.
   */
  readonly applies: (call: CheckInput, baseline: CheckInput | undefined, ctx: CheckContext) => boolean;
  /** A short explanation when the call fails the check, otherwise null. Only called when it applies. */
  readonly fails: (call: CheckInput, baseline: CheckInput | undefined, ctx: CheckContext) => string | null;
}

/** True sepsis with at least this generating risk is an obvious case: missing it is critical. */
export const CRITICAL_RISK = 0.5;

const scoreOf = (call: CheckInput | undefined): number | undefined =>
  call?.outcome === 'ok' ? call.output?.score : undefined;

const isInvariantArm = (call: CheckInput): boolean =>
  call.perturbations.length > 0 && call.perturbations.every((p) => p.expectation.kind === 'invariant');

const definitions = {
  'critical-miss': {
    severity: 'critical',
    description: `a true case with generating risk >= ${CRITICAL_RISK} scored below the decision threshold`,
    applies: (call) =>
      scoreOf(call) !== undefined && call.truth.label === 1 && (call.truth.risk ?? 0) >= CRITICAL_RISK,
    fails: (call, _b, { threshold }) => {
      const score = scoreOf(call)!;
      return score < threshold
        ? `true sepsis with risk ${call.truth.risk!.toFixed(2)} scored ${score.toFixed(3)} < threshold ${threshold}`
        : null;
    },
  },
  invariance: {
    severity: 'major',
    description: 'a label-preserving perturbation that should not matter changed the decision',
    applies: (call, baseline) =>
      isInvariantArm(call) && scoreOf(call) !== undefined && scoreOf(baseline) !== undefined,
    fails: (call, baseline, { threshold }) => {
      const after = scoreOf(call)!;
      const before = scoreOf(baseline)!;
      return after >= threshold !== before >= threshold
        ? `decision flipped: baseline score ${before.toFixed(3)}, perturbed ${after.toFixed(3)} (threshold ${threshold})`
        : null;
    },
  },
} as const satisfies Record<string, SafetyCheck>;

export type CheckName = keyof typeof definitions;
/** Every safety check by name; a name without a handler does not compile. */
export const CHECKS: Record<CheckName, SafetyCheck> = definitions;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];
