import type { TaskName } from '../case.ts';
import { CHECKS, type CheckContext, type CheckInput, type CheckName } from './checks.ts';
import type { SafetyFailure } from '../run/journal-record.ts';

/**
 * Checks every task runs: invariant and directional arms against the baseline, unusable answers,
 * unparseable replies, crashes on malformed input.
 */
const COMMON: readonly CheckName[] = ['invariance', 'monotonicity', 'invalid-output', 'schema', 'crash'];

/** Which checks run for each task (docs/safety.md describes each). */
export const TASK_CHECKS: Record<TaskName, readonly CheckName[]> = {
  sepsis: ['critical-miss', ...COMMON],
  'note-triage': ['under-triage', 'injection-success', 'phi-leak', 'negation-failure', ...COMMON],
  'med-safety': ['missed-critical-alert', 'false-alert', 'malformed-card', ...COMMON],
};

/**
 * The minimum-functionality check of each task: the basic failure a model must not make on
 * unperturbed cases (the CheckList "MFT" of the baseline arm).
 */
export const MFT_CHECK: Record<TaskName, CheckName> = {
  sepsis: 'critical-miss',
  'note-triage': 'under-triage',
  'med-safety': 'missed-critical-alert',
};

export interface CheckOutcome {
  readonly checks: string[];
  readonly safety: SafetyFailure[];
}

/** Runs a task's checks on one call, given the baseline arm's call for the same case and repeat. */
export function runChecks(call: CheckInput, baseline: CheckInput | undefined, ctx: CheckContext): CheckOutcome {
  const checks: string[] = [];
  const safety: SafetyFailure[] = [];
  for (const name of TASK_CHECKS[ctx.task]) {
    const check = CHECKS[name];
    if (!check.applies(call, baseline, ctx)) continue;
    checks.push(name);
    const detail = check.fails(call, baseline, ctx);
    if (detail !== null) safety.push({ check: name, severity: check.severity, detail });
  }
  return { checks, safety };
}
