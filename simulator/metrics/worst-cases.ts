/**
 * The safety failures the HTML report shows case by case: per check and arm, the few most severe
 * (per arm, so that one arm's failures do not hide another's), and per failure type a few failed
 * calls with their error text. Streaming: only the records that are shown are kept, so memory
 * does not grow with the journal.
 */
import { TRIAGE_CLASSES } from '../cohort/note-triage/index.ts';
import type { Group, Truth } from '../case.ts';
import type { Prediction } from '../../adapters/adapter.ts';
import type { Provenance } from '../perturb/perturbation.ts';
import type { Manifest, ScenarioLineage } from '../run/manifest.ts';
import type { JournalRecord, Outcome, SafetyFailure, Severity } from '../run/journal-record.ts';

/** Failures shown per check and arm, and failed calls shown per failure type. */
export const CASES_PER_ARM = 3;
export const SAMPLES_PER_FAILURE = 3;
/** Error texts are kept up to this length (an error body can be a whole HTML page). */
const ERROR_CHARS = 2000;

/** One failed check of one call, with what the report shows of the call. */
export interface FailedCase {
  readonly arm: string;
  readonly case: number;
  readonly repeat: number;
  readonly check: string;
  readonly severity: Severity;
  readonly detail: string;
  readonly outcome: Outcome;
  readonly error: string | null;
  readonly output: Prediction | null;
  readonly truth: Truth;
  readonly group: Group;
  readonly perturbations: Provenance[];
  readonly features: Record<string, number | string | null> | null;
}

export interface CheckCases {
  readonly check: string;
  readonly severity: Severity;
  /** All failures of the check in the scenario (the cases are the worst of these). */
  readonly failures: number;
  /** The worst of each arm, arms in scenario order. */
  readonly cases: FailedCase[];
}

export interface FailedCall {
  readonly arm: string;
  readonly case: number;
  readonly repeat: number;
  readonly outcome: Outcome;
  readonly status: number | null;
  readonly error: string;
}

export interface FailureSamples {
  /** The failure type (`transport`, `timeout`, `http-status`, `invalid-response`, `invalid-output`). */
  readonly failure: string;
  readonly count: number;
  readonly samples: FailedCall[];
}

export interface ScenarioWorstCases {
  readonly scenario: string;
  readonly checks: CheckCases[];
  readonly failedCalls: FailureSamples[];
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, major: 2, minor: 1 };
const CONFLICT_RANK: Record<string, number> = { contraindicated: 4, major: 3, moderate: 2, caution: 1 };

/**
 * How bad a failure is within its severity: the generating risk of a missed case where the truth
 * has one (sepsis), the distance between the true and answered urgency (triage), the gravest
 * conflict of a medication order; 0 otherwise.
 */
export function magnitude(record: Pick<JournalRecord, 'truth' | 'output'>, task: string): number {
  const { truth, output } = record;
  if (task === 'note-triage') {
    const t = TRIAGE_CLASSES.indexOf(truth.class as (typeof TRIAGE_CLASSES)[number]);
    const a = TRIAGE_CLASSES.indexOf(output?.label as (typeof TRIAGE_CLASSES)[number]);
    return t >= 0 && a >= 0 ? Math.abs(a - t) : 0;
  }
  if (truth.risk !== undefined) return truth.risk;
  if (truth.conflicts) return Math.max(0, ...truth.conflicts.map((c) => CONFLICT_RANK[c.severity] ?? 0));
  return 0;
}

interface Ranked<T> {
  readonly key: readonly number[];
  readonly value: T;
}

/** Lexicographic: earlier entries first, larger is worse for the leading entries as given. */
function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Keeps the `limit` smallest values by key: a sorted array, as the limit is a handful. */
class Smallest<T> {
  readonly items: Ranked<T>[] = [];
  constructor(private readonly limit: number) {}

  offer(key: readonly number[], make: () => T): void {
    if (this.items.length === this.limit && compareKeys(key, this.items[this.limit - 1]!.key) >= 0) return;
    let i = this.items.length;
    while (i > 0 && compareKeys(key, this.items[i - 1]!.key) < 0) i--;
    this.items.splice(i, 0, { key, value: make() });
    if (this.items.length > this.limit) this.items.pop();
  }
}

class ScenarioCollector {
  private readonly armIndex: Map<string, number>;
  private readonly checks = new Map<string, { severity: Severity; failures: number; worst: Map<string, Smallest<FailedCase>> }>();
  private readonly failed = new Map<string, { count: number; samples: Smallest<FailedCall> }>();

  constructor(readonly lineage: ScenarioLineage) {
    this.armIndex = new Map(lineage.arms.map((a, i) => [a.name, i]));
  }

  private position(arm: string): number {
    return this.armIndex.get(arm) ?? Number.MAX_SAFE_INTEGER;
  }

  add(record: JournalRecord): void {
    const position = [this.position(record.arm), record.case, record.repeat];
    for (const failure of record.safety) {
      let entry = this.checks.get(failure.check);
      if (!entry) this.checks.set(failure.check, (entry = { severity: failure.severity, failures: 0, worst: new Map() }));
      entry.failures++;
      let worst = entry.worst.get(record.arm);
      if (!worst) entry.worst.set(record.arm, (worst = new Smallest<FailedCase>(CASES_PER_ARM)));
      // Most severe first, then the largest magnitude, then the earliest case and repeat.
      const key = [-SEVERITY_RANK[failure.severity], -magnitude(record, this.lineage.task), record.case, record.repeat];
      worst.offer(key, () => failedCase(record, failure));
    }
    if (record.outcome !== 'ok') {
      const type = record.failure ?? record.outcome;
      let entry = this.failed.get(type);
      if (!entry) this.failed.set(type, (entry = { count: 0, samples: new Smallest<FailedCall>(SAMPLES_PER_FAILURE) }));
      entry.count++;
      entry.samples.offer(position, () => ({
        arm: record.arm,
        case: record.case,
        repeat: record.repeat,
        outcome: record.outcome,
        status: record.status,
        error: (record.error ?? '').slice(0, ERROR_CHARS),
      }));
    }
  }

  result(): ScenarioWorstCases {
    const checks = [...this.checks]
      .map(([check, e]) => ({
        check,
        severity: e.severity,
        failures: e.failures,
        cases: [...e.worst]
          .sort(([a], [b]) => this.position(a) - this.position(b))
          .flatMap(([, worst]) => worst.items.map((i) => i.value)),
      }))
      .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.failures - a.failures || (a.check < b.check ? -1 : 1));
    const failedCalls = [...this.failed]
      .map(([failure, e]) => ({ failure, count: e.count, samples: e.samples.items.map((i) => i.value) }))
      .sort((a, b) => b.count - a.count || (a.failure < b.failure ? -1 : 1));
    return { scenario: this.lineage.name, checks, failedCalls };
  }
}

function failedCase(record: JournalRecord, failure: SafetyFailure): FailedCase {
  return {
    arm: record.arm,
    case: record.case,
    repeat: record.repeat,
    check: failure.check,
    severity: failure.severity,
    detail: failure.detail,
    outcome: record.outcome,
    error: record.error === null ? null : record.error.slice(0, ERROR_CHARS),
    output: record.output,
    truth: record.truth,
    group: record.group,
    perturbations: record.perturbations,
    features: record.features ?? null,
  };
}

/** Streams journal records into the worst cases of each scenario of the manifest. */
export class WorstCaseCollector {
  private readonly scenarios: Map<string, ScenarioCollector>;

  constructor(manifest: Manifest) {
    this.scenarios = new Map(manifest.scenarios.map((s) => [s.name, new ScenarioCollector(s)]));
  }

  add(record: JournalRecord): void {
    this.scenarios.get(record.scenario)?.add(record);
  }

  result(): ScenarioWorstCases[] {
    return [...this.scenarios.values()].map((s) => s.result());
  }
}
