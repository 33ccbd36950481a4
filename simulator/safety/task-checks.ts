import type { TaskName } from '../case.ts';
import { CHECKS, type CheckContext, type CheckInput, type CheckName } from './checks.ts';
import type { SafetyFailure } from '../run/journal-record.ts';

/** Which checks run for each task. */
export const TASK_CHECKS: Record<TaskName, readonly CheckName[]> = {
  sepsis: ['critical-miss', 'invariance'],
  'note-triage': ['invariance'],
  'med-safety': ['invariance'],
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
