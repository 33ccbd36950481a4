import type { JournalRecord } from './journal-record.ts';
import type { ScenarioLineage } from './manifest.ts';

/** Which cases of one scenario a journal holds. */
export interface ScenarioCoverage {
  /** 1 at the patient index of every case with all its (arm, repeat) records. */
  readonly complete: Uint8Array;
  /** How many cases are complete. */
  readonly count: number;
  /** Cases with some but not all of their records. */
  readonly partial: ReadonlySet<number>;
  /** Records of the partial cases. */
  readonly partialRecords: number;
}

interface Tally {
  readonly arms: Map<string, number>;
  readonly repeats: number;
  readonly size: number;
  readonly perCase: number;
  /** One byte per (case, arm, repeat): seen. */
  readonly seen: Uint8Array;
  /** Records seen per case. */
  readonly records: Uint32Array;
}

/**
 * Tallies a journal's records against the manifest's scenarios: every record must name a scenario
 * and arm of the run and a (case, repeat) of its cohort, and no call may appear twice. Memory is
 * one byte per (case, arm, repeat) of the cohort.
 */
export class JournalCoverage {
  private readonly tallies = new Map<string, Tally>();

  constructor(scenarios: readonly ScenarioLineage[]) {
    for (const s of scenarios) {
      const perCase = s.arms.length * s.repeats;
      this.tallies.set(s.name, {
        arms: new Map(s.arms.map((a, i) => [a.name, i])),
        repeats: s.repeats,
        size: s.size,
        perCase,
        seen: new Uint8Array(s.size * perCase),
        records: new Uint32Array(s.size),
      });
    }
  }

  /** Counts a record; returns what is wrong with it (and does not count it), or null. */
  add(record: Pick<JournalRecord, 'scenario' | 'arm' | 'case' | 'repeat'>): string | null {
    const tally = this.tallies.get(record.scenario);
    const arm = tally?.arms.get(record.arm);
    if (!tally || arm === undefined) return 'not a scenario and arm of this run';
    if (record.case >= tally.size || record.repeat >= tally.repeats) return "outside the run's cohort";
    const slot = record.case * tally.perCase + arm * tally.repeats + record.repeat;
    if (tally.seen[slot] === 1) return 'the same call is in the journal twice';
    tally.seen[slot] = 1;
    tally.records[record.case]!++;
    return null;
  }

  /** Coverage of every scenario, by name. */
  result(): Map<string, ScenarioCoverage> {
    const out = new Map<string, ScenarioCoverage>();
    for (const [name, tally] of this.tallies) {
      const complete = new Uint8Array(tally.size);
      const partial = new Set<number>();
      let count = 0;
      let partialRecords = 0;
      for (let c = 0; c < tally.size; c++) {
        const n = tally.records[c]!;
        if (n === tally.perCase) {
          complete[c] = 1;
          count++;
        } else if (n > 0) {
          partial.add(c);
          partialRecords += n;
        }
      }
      out.set(name, { complete, count, partial, partialRecords });
    }
    return out;
  }
}
