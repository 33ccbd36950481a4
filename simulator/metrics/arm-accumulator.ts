import type { TaskName } from '../case.ts';
import { TRIAGE_CLASSES } from '../cohort/note-triage/index.ts';
import type { JournalRecord } from '../run/journal-record.ts';
import { OUTPUT_CONTRACT } from '../run/output-contract.ts';
import { FeatureColumns } from './feature-columns.ts';
import { UsageTotals } from './arm-usage.ts';
import { RealizedShiftAccumulator } from './realized-shift.ts';
import { failureKind } from './failure-kinds.ts';
import { FAIRNESS_ATTRIBUTES, type FailureKinds, type FairnessAttribute, type Outcomes } from './report-types.ts';

/** The families whose changes describe a distribution shift (notes and fuzz edit text and format). */
const SHIFT_FAMILIES = /^(shift|missing)\./;

const NO_LABEL = 255;
/** No decision / no truth in a Uint8Array slot. */
export const NONE = 255;

/**
 * How a task's decision is coded per slot: `binary` tasks store 1 for an alert (sepsis: score >=
 * threshold; med-safety: a warning/critical card or label 1) and 0 otherwise; `class` tasks store
 * the index of the class in urgency order (note-triage: 0 = emergent).
 */
export const DECISION_CLASSES: Readonly<Record<TaskName, readonly string[] | null>> = {
  sepsis: null,
  'note-triage': TRIAGE_CLASSES,
  'med-safety': null,
};

export interface ArmTask {
  readonly task: TaskName;
  readonly threshold: number;
}

/**
 * What the report needs of one arm's records, kept compactly: the score and label of each
 * (case, repeat) slot in typed arrays, so memory is a few bytes per call whatever the records hold.
 */
export class ArmAccumulator {
  readonly scores: Float64Array;
  readonly labels: Uint8Array;
  /** Decision code of each answered slot (see DECISION_CLASSES); NONE when unanswered. */
  readonly decisions: Uint8Array;
  /** Truth per slot: the 0/1 label and the class index (class tasks), NONE when absent. */
  readonly truthLabels: Uint8Array;
  readonly truthClasses: Uint8Array;
  /** Subgroup of each case, per attribute, as an index into `groupNames` (first record of the case). */
  readonly groups: Readonly<Record<FairnessAttribute, Uint16Array>>;
  readonly groupNames: Readonly<Record<FairnessAttribute, string[]>>;
  private readonly groupIndex: Record<FairnessAttribute, Map<string, number>>;
  /** Model inputs (journal `features`) of each case, for drift; null until a record carries them. */
  features: FeatureColumns | null = null;
  private readonly seen: Uint8Array;
  readonly latencies: number[] = [];
  readonly outcomes: Outcomes = { ok: 0, error: 0, timeout: 0, invalid: 0 };
  readonly failureKinds: FailureKinds = { infrastructure: 0, model: 0 };
  retries = 0;
  readonly usage = new UsageTotals();
  readonly bySeverity = { critical: 0, major: 0, minor: 0 };
  readonly failuresByCheck = new Map<string, number>();
  readonly appliedByCheck = new Map<string, number>();
  calls = 0;
  failures = 0;

  constructor(
    readonly name: string,
    readonly repeats: number,
    readonly size: number,
    private readonly task: ArmTask,
  ) {
    this.scores = new Float64Array(size * repeats).fill(NaN);
    this.labels = new Uint8Array(size * repeats).fill(NO_LABEL);
    this.decisions = new Uint8Array(size * repeats).fill(NONE);
    this.truthLabels = new Uint8Array(size * repeats).fill(NONE);
    this.truthClasses = new Uint8Array(size * repeats).fill(NONE);
    this.seen = new Uint8Array(size);
    const perAttribute = <T>(make: () => T) => Object.fromEntries(FAIRNESS_ATTRIBUTES.map((a) => [a, make()])) as Record<FairnessAttribute, T>;
    this.groups = perAttribute(() => new Uint16Array(size));
    this.groupNames = perAttribute((): string[] => []);
    this.groupIndex = perAttribute(() => new Map<string, number>());
  }

  /**
   * Realized shift of the shift and missingness changes of each distinct case (repeat 0); null
   * while no record of the arm carried such a perturbation.
   */
  shift: RealizedShiftAccumulator | null = null;
  /** Distinct cases with a binary truth label, and how many are positive. */
  labelledCases = 0;
  positiveCases = 0;

  private addCase(record: JournalRecord): void {
    const label = record.truth.label;
    if (label !== undefined) {
      this.labelledCases++;
      this.positiveCases += label;
    }
    const shifts = record.perturbations.filter((p) => SHIFT_FAMILIES.test(p.kind));
    if (shifts.length > 0) (this.shift ??= new RealizedShiftAccumulator()).add(shifts.flatMap((p) => p.changes));
  }

  add(record: JournalRecord): void {
    const slot = record.case * this.repeats + record.repeat;
    if (record.repeat >= this.repeats || slot >= this.scores.length) {
      throw new RangeError(`case ${record.case} repeat ${record.repeat} lies outside the cohort of the manifest`);
    }
    if (record.repeat === 0) this.addCase(record);
    this.calls++;
    if (this.seen[record.case] === 0) this.addGroup(record);
    this.seen[record.case] = 1;
    this.addDecision(record, slot);
    if (record.features) (this.features ??= new FeatureColumns(this.size)).add(record.case, record.features);
    this.outcomes[record.outcome]++;
    const kind = failureKind(record);
    if (kind) this.failureKinds[kind]++;
    this.retries += Math.max(0, record.attempts - 1);
    this.usage.add(record);
    // Latency is the time to a usable answer: failed calls are counted by outcome, not timed.
    if (record.outcome === 'ok' && record.latencyMs !== null) this.latencies.push(record.latencyMs);
    const score = record.output?.score;
    if (record.outcome === 'ok' && score !== undefined && record.truth.label !== undefined) {
      this.scores[slot] = score;
      this.labels[slot] = record.truth.label;
    }
    for (const check of record.checks) this.appliedByCheck.set(check, (this.appliedByCheck.get(check) ?? 0) + 1);
    for (const failure of record.safety) {
      this.failures++;
      this.bySeverity[failure.severity]++;
      this.failuresByCheck.set(failure.check, (this.failuresByCheck.get(failure.check) ?? 0) + 1);
    }
  }

  get cases(): number {
    let n = 0;
    for (const s of this.seen) n += s;
    return n;
  }

  /** Slots with a usable score and label. */
  answered(slot: number): boolean {
    return this.labels[slot] !== NO_LABEL;
  }

  /** Slots with a decision (an answered call), ascending. */
  decidedSlots(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.decisions.length; s++) if (this.decisions[s] !== NONE) out.push(s);
    return out;
  }

  private addGroup(record: JournalRecord): void {
    for (const attribute of FAIRNESS_ATTRIBUTES) {
      const value = record.group[attribute];
      const index = this.groupIndex[attribute];
      let k = index.get(value);
      if (k === undefined) {
        if (index.size === 0xffff) throw new RangeError(`more than 65,535 distinct values of group.${attribute}`);
        k = index.size;
        index.set(value, k);
        this.groupNames[attribute].push(value);
      }
      this.groups[attribute][record.case] = k;
    }
  }

  /** The decision the task reads off an answer (OUTPUT_CONTRACT), and the truth beside it. */
  private addDecision(record: JournalRecord, slot: number): void {
    const classes = DECISION_CLASSES[this.task.task];
    const truth = record.truth;
    if (truth.label !== undefined) this.truthLabels[slot] = truth.label;
    if (classes && truth.class !== undefined) {
      const k = classes.indexOf(truth.class);
      if (k >= 0) this.truthClasses[slot] = k;
    }
    if (record.outcome !== 'ok' || !record.output) return;
    const contract = OUTPUT_CONTRACT[this.task.task];
    if (contract.problem(record.output) !== null) return;
    const decision = contract.decision(record.output, this.task.threshold);
    if (decision === null) return;
    const code = classes ? classes.indexOf(decision) : decision === 'alert' ? 1 : 0;
    if (code >= 0) this.decisions[slot] = code;
  }
}
