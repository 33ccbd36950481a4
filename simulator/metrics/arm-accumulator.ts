import type { JournalRecord } from '../run/journal-record.ts';
import type { Outcomes } from './report-types.ts';

const NO_LABEL = 255;

/**
 * What the report needs of one arm's records, kept compactly: the score and label of each
 * (case, repeat) slot in typed arrays, so memory is a few bytes per call whatever the records hold.
 */
export class ArmAccumulator {
  readonly scores: Float64Array;
  readonly labels: Uint8Array;
  private readonly seen: Uint8Array;
  readonly latencies: number[] = [];
  readonly outcomes: Outcomes = { ok: 0, error: 0, timeout: 0, invalid: 0 };
  readonly bySeverity = { critical: 0, major: 0, minor: 0 };
  readonly failuresByCheck = new Map<string, number>();
  readonly appliedByCheck = new Map<string, number>();
  calls = 0;
  failures = 0;

  constructor(
    readonly name: string,
    private readonly repeats: number,
    size: number,
  ) {
    this.scores = new Float64Array(size * repeats).fill(NaN);
    this.labels = new Uint8Array(size * repeats).fill(NO_LABEL);
    this.seen = new Uint8Array(size);
  }

  add(record: JournalRecord): void {
    const slot = record.case * this.repeats + record.repeat;
    if (record.repeat >= this.repeats || slot >= this.scores.length) {
      throw new RangeError(`case ${record.case} repeat ${record.repeat} lies outside the cohort of the manifest`);
    }
    this.calls++;
    this.seen[record.case] = 1;
    this.outcomes[record.outcome]++;
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
}
