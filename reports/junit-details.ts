import type { JournalRecord, Severity } from '../simulator/run/journal-record.ts';

/** The most frequent detail text of one check's failures in one arm, for a JUnit failure message. */
export interface TopDetail {
  readonly detail: string;
  /** Failures with exactly this detail text. */
  readonly count: number;
  readonly severity: Severity;
}

/**
 * Details differ per case when they quote figures ("risk 0.77 scored 0.097"), so distinct texts
 * can grow with the cohort; past this many per (scenario, arm, check) new texts are not tracked.
 * The texts seen first keep exact counts, so the "top" detail is exact unless a text first seen
 * after the cap would have outnumbered them.
 */
const MAX_TEXTS = 256;

const key = (scenario: string, arm: string, check: string): string => JSON.stringify([scenario, arm, check]);

/** Collects, from the journal, the most frequent safety failure detail per (scenario, arm, check). */
export class SafetyDetails {
  private readonly texts = new Map<string, Map<string, { count: number; severity: Severity }>>();

  add(record: JournalRecord): void {
    for (const failure of record.safety) {
      const k = key(record.scenario, record.arm, failure.check);
      let counts = this.texts.get(k);
      if (!counts) this.texts.set(k, (counts = new Map()));
      const seen = counts.get(failure.detail);
      if (seen) seen.count++;
      else if (counts.size < MAX_TEXTS) counts.set(failure.detail, { count: 1, severity: failure.severity });
    }
  }

  /** Ties go to the text seen first, so the choice is stable for a given journal. */
  top(scenario: string, arm: string, check: string): TopDetail | undefined {
    let best: TopDetail | undefined;
    for (const [detail, { count, severity }] of this.texts.get(key(scenario, arm, check)) ?? []) {
      if (!best || count > best.count) best = { detail, count, severity };
    }
    return best;
  }
}
