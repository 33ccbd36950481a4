import type { TaskName } from '../case.ts';
import type { Expectation, TruthEffect } from '../perturb/perturbation.ts';
import type { JournalRecord } from '../run/journal-record.ts';
import { classifyArm, type ArmExpectation } from '../safety/call-facts.ts';
import type { CheckName } from '../safety/checks.ts';
import { MFT_CHECK, TASK_CHECKS } from '../safety/task-checks.ts';
import { safetyRate, type RateOptions, type SafetyRate } from './safety-rates.ts';

/**
 * A CheckList-style summary (Ribeiro et al., "Beyond Accuracy: Behavioral Testing of NLP Models
 * with CheckList", ACL 2020): each arm is one behavioural test, and its failure rate is the rate of
 * the safety check that encodes the arm's expectation.
 *
 * | arm (by its perturbations' declarations)        | test | failure rate                                   |
 * | ----------------------------------------------- | ---- | ---------------------------------------------- |
 * | no perturbations (the baseline arm)             | MFT  | the task's basic check on unperturbed cases: sepsis `critical-miss`, note-triage `under-triage`, med-safety `missed-critical-alert` |
 * | all `invariant`, truth preserved                | INV  | `invariance`: share of cases whose decision changed vs the baseline |
 * | all `directional`, the same direction           | DIR  | `monotonicity`: share whose score moved the wrong way (tasks that run it: sepsis) |
 * | all `degrading`, or a mix                       | —    | none: the drop is measured by the metric deltas, not as a pass/fail test |
 *
 * Each rate is count / applied of that check over the arm's calls (its `applies` is the
 * denominator), with a Wilson interval (safety-rates.ts). A test whose check the task does not run,
 * or that applied to no call, has rate and ci null.
 */

export type ChecklistTest = 'MFT' | 'INV' | 'DIR';

export interface CheckCounts {
  /** Calls that failed the check. */
  readonly count: number;
  /** Calls the check applied to. */
  readonly applied: number;
}

/** What the summary needs of one arm: its perturbations' declarations and its per-check tallies. */
export interface ArmCounts {
  readonly name: string;
  readonly perturbations: readonly { readonly expectation: Expectation; readonly truthEffect?: TruthEffect }[];
  readonly byCheck: Readonly<Record<string, CheckCounts>>;
}

export interface ChecklistRow extends SafetyRate {
  readonly arm: string;
  /** The arm's expectation as a whole (see classifyArm). */
  readonly expectation: ArmExpectation['kind'];
  /** The directional arm's expected direction of the score. */
  readonly direction?: 'increase' | 'decrease';
  /** The CheckList test type, or null for degrading and mixed arms. */
  readonly test: ChecklistTest | null;
  /** The check whose rate is the test's failure rate; null when the task does not run one. */
  readonly check: CheckName | null;
}

/** The check that measures each test type for a task, or null when the task does not run it. */
export function testCheck(task: TaskName, test: ChecklistTest): CheckName | null {
  const check: CheckName = test === 'MFT' ? MFT_CHECK[task] : test === 'INV' ? 'invariance' : 'monotonicity';
  return TASK_CHECKS[task].includes(check) ? check : null;
}

const TEST_OF: Record<ArmExpectation['kind'], ChecklistTest | null> = {
  baseline: 'MFT',
  invariant: 'INV',
  directional: 'DIR',
  degrading: null,
  mixed: null,
};

/** The CheckList row of one arm. Pure: a function of the task and the arm's aggregated counts. */
export function checklistRow(task: TaskName, arm: ArmCounts, options: RateOptions = {}): ChecklistRow {
  const expectation = classifyArm(arm.perturbations);
  const test = TEST_OF[expectation.kind];
  const check = test === null ? null : testCheck(task, test);
  const counts = check === null ? undefined : arm.byCheck[check];
  return {
    arm: arm.name,
    expectation: expectation.kind,
    ...(expectation.kind === 'directional' ? { direction: expectation.direction } : {}),
    test,
    check,
    ...safetyRate(counts?.count ?? 0, counts?.applied ?? 0, options),
  };
}

/** The CheckList summary of a scenario: one row per arm, in the order given. */
export function checklist(task: TaskName, arms: readonly ArmCounts[], options: RateOptions = {}): ChecklistRow[] {
  return arms.map((arm) => checklistRow(task, arm, options));
}

/** Per-check counts of an arm's journal records: `checks` gives the denominators, `safety` the failures. */
export function checkCounts(records: Iterable<Pick<JournalRecord, 'checks' | 'safety'>>): Record<string, CheckCounts> {
  const applied = new Map<string, number>();
  const failed = new Map<string, number>();
  for (const r of records) {
    for (const check of r.checks) applied.set(check, (applied.get(check) ?? 0) + 1);
    for (const f of r.safety) failed.set(f.check, (failed.get(f.check) ?? 0) + 1);
  }
  return Object.fromEntries([...applied].map(([check, n]) => [check, { count: failed.get(check) ?? 0, applied: n }]));
}
