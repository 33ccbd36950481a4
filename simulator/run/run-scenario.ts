import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Adapter } from '../../adapters/adapter.ts';
import type { Scenario } from '../scenario.ts';
import type { TaskDefinition } from '../cohort/task.ts';
import { applyArm, type PerturbedCase } from '../perturb/apply.ts';
import { runChecks } from '../safety/task-checks.ts';
import type { CheckInput } from '../safety/check.ts';
import { OUTPUT_CONTRACT, type OutputContract } from './output-contract.ts';
import { callWithPolicy, type CallPolicy, type CallResult } from './call.ts';
import type { JournalRecord } from './journal-record.ts';
import type { JournalWriter } from './journal.ts';
import { targetGate, type AttemptGate, type LimitChange } from './call-gate.ts';
import type { Case } from '../case.ts';
import type { CaseSource } from '../cohort/source.ts';
import { featureRecord, featureRowOf } from '../cohort/feature-row.ts';

export interface ScenarioRunOptions {
  readonly scenario: Scenario;
  readonly task: TaskDefinition;
  readonly adapter: Adapter;
  /** The target's call policy; `concurrency` and `rateLimit` hold for every attempt, retries included. */
  readonly policy: CallPolicy & { readonly concurrency: number; readonly rateLimit?: number | undefined };
  readonly threshold: number;
  readonly journal: JournalWriter;
  readonly signal: AbortSignal;
  /** The base cases, in patient index order. */
  readonly source: CaseSource;
  /** Which patients to run; all by default. */
  readonly include?: (index: number) => boolean;
  /** Sees every base patient in index order, `include`d or not (e.g. to hash the cohort). */
  readonly onBaseCase?: (base: Case) => void;
  /** Called after each case's records are in the journal. */
  readonly onCaseDone?: (records: readonly JournalRecord[]) => void;
  /** Called when the adaptive concurrency limit moves (a 429 lowered it, answers raised it). */
  readonly onLimitChange?: (change: LimitChange) => void;
}

export interface ScenarioRunResult {
  readonly cases: number;
  readonly interrupted: boolean;
}

/**
 * Streams a scenario's cases through its arms and the adapter. Cases flow through a bounded window,
 * so memory does not grow with the cohort size. All calls of a case (every arm and repeat) finish
 * before its records are checked together (invariance needs the baseline's answer) and appended.
 * A case cut short by an interruption is not written.
 */
export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const { policy, signal } = options;
  const gate = targetGate(policy, options.onLimitChange);
  const window = Math.max(2, policy.concurrency * 2);
  // Every call backing off, and every attempt waiting for a rate-limit start, listens for the
  // run's end: up to all calls of the window at once, which is expected here, not a leak.
  const callsPerCase = Object.keys(options.scenario.arms).length * options.scenario.repeats;
  setMaxListeners(Math.max(getMaxListeners(signal), window * callsPerCase + policy.concurrency + 10), signal);
  const inFlight = new Set<Promise<void>>();
  let cases = 0;

  for await (const base of options.source.cases(signal)) {
    if (signal.aborted) break;
    // Every patient, run or not: a shard or a resumed run hashes the whole cohort like a full run.
    options.onBaseCase?.(base);
    if (options.include && !options.include(base.index)) continue;
    while (inFlight.size >= window) await Promise.race(inFlight);
    if (signal.aborted) break;
    const done: Promise<void> = runCase(options, gate, base).then(() => {
      inFlight.delete(done);
      if (!signal.aborted) cases++;
    });
    inFlight.add(done);
  }
  await Promise.all(inFlight);
  return { cases, interrupted: signal.aborted };
}

async function runCase(options: ScenarioRunOptions, gate: AttemptGate, base: Case): Promise<void> {
  const { scenario, task, adapter, policy, signal, threshold } = options;
  const cohort = { seed: scenario.cohort.seed, prevalence: scenario.cohort.prevalence };
  const index = base.index;
  const arms = Object.entries(scenario.arms).map(([arm, perturbations]) => {
    const perturbed = applyArm(base, arm, perturbations, task, cohort);
    return { arm, perturbed, features: featureRowOf(task, perturbed.case.bundle) };
  });

  const calls = arms.flatMap(({ arm, perturbed, features }) =>
    Array.from({ length: scenario.repeats }, (_, repeat) => {
      const input = { task: task.name, caseIndex: index, bundle: perturbed.case.bundle, ...(features ? { features } : {}) };
      return callWithPolicy(adapter, input, policy, signal, { gate }).then((result) => ({ arm, repeat, perturbed, features, result }));
    }),
  );
  const results = await Promise.all(calls);
  if (signal.aborted) return;

  const baselineByRepeat = new Map(results.filter((r) => r.arm === 'baseline').map((r) => [r.repeat, r] as const));
  const records = results.map(({ arm, repeat, perturbed, features, result }) => {
    const record = toRecord(scenario.name, arm, index, repeat, perturbed, result, task, threshold, baselineByRepeat.get(repeat));
    // Repeats send the same input, so the features are written once per (arm, case).
    return repeat === 0 && features ? { ...record, features: featureRecord(features) } : record;
  });
  await options.journal.append(records);
  options.onCaseDone?.(records);
}

function toRecord(
  scenarioName: string,
  arm: string,
  index: number,
  repeat: number,
  perturbed: PerturbedCase,
  result: CallResult,
  task: TaskDefinition,
  threshold: number,
  baseline: { perturbed: PerturbedCase; result: CallResult } | undefined,
): JournalRecord {
  const contract = OUTPUT_CONTRACT[task.name];
  const call = checkInput(perturbed, withContract(result, contract));
  const baselineCall = baseline && arm !== 'baseline' ? checkInput(baseline.perturbed, withContract(baseline.result, contract)) : undefined;
  const decision = (c: CheckInput) => (c.outcome === 'ok' && c.output ? contract.decision(c.output, threshold) : null);
  const { checks, safety } = runChecks(call, baselineCall, { task: task.name, threshold, decision });
  return {
    scenario: scenarioName,
    arm,
    case: index,
    repeat,
    outcome: call.outcome,
    attempts: result.attempts,
    status: result.status,
    latencyMs: result.latencyMs === null ? null : Math.round(result.latencyMs * 1000) / 1000,
    error: call.outcome === result.outcome ? result.error : `invalid-output: ${contract.problem(result.output!)}`,
    failure: call.failure,
    truth: perturbed.case.truth,
    output: result.output,
    group: task.groupOf(perturbed.case.bundle),
    checks,
    safety,
    perturbations: perturbed.provenance,
  };
}

/** An answer the adapter accepted but the task cannot use is an invalid outcome. */
function withContract(result: CallResult, contract: OutputContract): Pick<CheckInput, 'outcome' | 'failure' | 'status' | 'output'> {
  if (result.outcome === 'ok' && result.output && contract.problem(result.output) !== null) {
    return { outcome: 'invalid', failure: 'invalid-output', status: result.status, output: result.output };
  }
  return { outcome: result.outcome, failure: result.failure, status: result.status, output: result.output };
}

function checkInput(perturbed: PerturbedCase, answer: Pick<CheckInput, 'outcome' | 'failure' | 'status' | 'output'>): CheckInput {
  return { ...answer, truth: perturbed.case.truth, perturbations: perturbed.provenance, bundle: perturbed.case.bundle };
}
