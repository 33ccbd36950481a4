/** Hand-built journal records for the journal and aggregation unit tests. */
import type { JournalRecord } from '../../simulator/run/journal-record.ts';

export function record(overrides: Partial<JournalRecord> = {}): JournalRecord {
  return {
    scenario: 'demo',
    arm: 'baseline',
    case: 0,
    repeat: 0,
    outcome: 'ok',
    attempts: 1,
    status: 200,
    latencyMs: 10,
    error: null,
    failure: null,
    truth: { label: 0, risk: 0.1 },
    output: { score: 0.2 },
    group: { sex: 'female', ageBand: '65-74', race: 'white', ethnicity: 'not-hispanic' },
    checks: [],
    safety: [],
    perturbations: [],
    ...overrides,
  };
}
