import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { Report } from '../../simulator/metrics/report-types.ts';
import { missing } from '../../simulator/perturb/families.ts';
import { executeRun } from '../../simulator/run/execute.ts';
import { readJournal } from '../../simulator/run/journal.ts';
import type { Failure, JournalRecord, Outcome } from '../../simulator/run/journal-record.ts';
import { readManifest } from '../../simulator/run/manifest.ts';
import { Scenario } from '../../simulator/scenario.ts';
import { startFaultyServer, type Fault, type FaultyServer } from '../fixtures/faulty-server.ts';

/*
 * The runner against an endpoint that misbehaves in every way the issue lists. The fault of a call
 * is chosen by its patient index (read back from the Bundle id) and the attempt, so the final
 * record of every call is known in advance: transient faults (reset, 429, 503) recover on the retry
 * and end ok with 2 attempts; persistent ones end error, timeout or invalid with a typed failure.
 */

// Generous against a busy machine (an answered call must never miss it); the slow faults scale with it.
const TIMEOUT_MS = 1000;
const RETRIES = 2;
const SEED = 7;

interface Expected {
  readonly outcome: Outcome;
  readonly failure: Failure | null;
  readonly attempts: number;
  readonly status: number | null;
}

interface PlanRow {
  readonly name: string;
  readonly fault: (attempt: number) => Fault;
  readonly expected: Expected;
}

const ok = (attempts: number, status: number | null = 200): Expected => ({ outcome: 'ok', failure: null, attempts, status });
const everyAttempt = RETRIES + 1;

const PLAN: readonly PlanRow[] = [
  { name: 'ok', fault: () => ({ kind: 'ok', score: 0.2 }), expected: ok(1) },
  { name: '500', fault: () => ({ kind: 'status', status: 500 }), expected: { outcome: 'error', failure: 'http-status', attempts: 1, status: 500 } },
  { name: 'hang', fault: () => ({ kind: 'hang' }), expected: { outcome: 'timeout', failure: 'timeout', attempts: 1, status: null } },
  { name: 'reset, then ok', fault: (a) => (a === 1 ? { kind: 'reset' } : { kind: 'ok' }), expected: ok(2) },
  { name: 'reset every time', fault: () => ({ kind: 'reset' }), expected: { outcome: 'error', failure: 'transport', attempts: everyAttempt, status: null } },
  { name: 'malformed JSON', fault: () => ({ kind: 'malformed-json' }), expected: { outcome: 'invalid', failure: 'invalid-response', attempts: 1, status: 200 } },
  {
    name: 'wrong shape (score as text)',
    fault: () => ({ kind: 'json', body: { score: 'high', label: 1 } }),
    expected: { outcome: 'invalid', failure: 'invalid-response', attempts: 1, status: 200 },
  },
  {
    name: 'valid prediction the task cannot use (no score)',
    fault: () => ({ kind: 'json', body: { text: 'looks fine' } }),
    expected: { outcome: 'invalid', failure: 'invalid-output', attempts: 1, status: 200 },
  },
  { name: '429 Retry-After: 0, then ok', fault: (a) => (a === 1 ? { kind: 'status', status: 429, retryAfter: '0' } : { kind: 'ok' }), expected: ok(2) },
  { name: '429 Retry-After: 1, then ok', fault: (a) => (a === 1 ? { kind: 'status', status: 429, retryAfter: '1' } : { kind: 'ok' }), expected: ok(2) },
  {
    name: '429 every time',
    fault: () => ({ kind: 'status', status: 429, retryAfter: '0' }),
    expected: { outcome: 'error', failure: 'http-status', attempts: everyAttempt, status: 429 },
  },
  { name: '503, then ok', fault: (a) => (a === 1 ? { kind: 'status', status: 503 } : { kind: 'ok' }), expected: ok(2) },
  { name: 'slow drip within the deadline', fault: () => ({ kind: 'drip', totalMs: TIMEOUT_MS / 20 }), expected: ok(1) },
  { name: 'slow drip past the deadline', fault: () => ({ kind: 'drip', totalMs: TIMEOUT_MS * 3 }), expected: { outcome: 'timeout', failure: 'timeout', attempts: 1, status: null } },
  {
    name: 'reset mid-body every time',
    fault: () => ({ kind: 'drip', totalMs: TIMEOUT_MS, resetAfterMs: TIMEOUT_MS / 5 }),
    expected: { outcome: 'error', failure: 'transport', attempts: everyAttempt, status: null },
  },
];

const CASES_PER_ROW = 3;
const SIZE = PLAN.length * CASES_PER_ROW;
const ARMS = ['baseline', 'no-heart-rate'] as const;
const rowOf = (caseIndex: number): PlanRow => PLAN[caseIndex % PLAN.length]!;

describe('a run against a faulty endpoint', () => {
  let server: FaultyServer;
  let dir: string;
  const caseOfBundle = new Map<string, number>();
  const requests: { index: number; bodyHash: string; at: number }[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    for (let i = 0; i < SIZE; i++) caseOfBundle.set(tasks.sepsis.generate({ seed: SEED }, i).bundle.id!, i);
    server = await startFaultyServer(({ body, attempt, bodyHash }) => {
      const id = (body as { id?: unknown } | undefined)?.id;
      const index = typeof id === 'string' ? caseOfBundle.get(id) : undefined;
      // An unknown body is a bug of the test: answer so that the counts below cannot match.
      if (index === undefined) return { kind: 'status', status: 400 };
      requests.push({ index, bodyHash, at: performance.now() });
      return rowOf(index).fault(attempt);
    });
    dir = await mkdtemp(join(tmpdir(), 'clinsim-faults-'));
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('completes, with one classified record per call and outcome counts equal to the faults injected', async () => {
    const runDir = join(dir, 'run');
    const result = await executeRun({
      runId: 'faults',
      runDir,
      signal: new AbortController().signal,
      resamples: 20,
      scenarios: [
        {
          scenario: Scenario.parse({
            name: 'faults',
            task: 'sepsis',
            cohort: { size: SIZE, seed: SEED },
            target: { adapter: 'http-json', url: `${server.url}/predict`, timeoutMs: TIMEOUT_MS, retries: RETRIES, concurrency: 16 },
            // Every patient has a heart rate, so the second arm's body differs from the baseline's
            // and the server counts each call's attempts apart (checked below).
            arms: { baseline: [], 'no-heart-rate': [missing.mcar({ loinc: '8867-4', rate: 1 })] },
          }),
          file: null,
          contentHash: 'faults',
        },
      ],
    });

    // The run completed and says so.
    expect(result.manifest.status).toBe('complete');
    expect((await readManifest(join(runDir, 'manifest.json'))).status).toBe('complete');
    const report = Report.parse(JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')));
    expect(report).toEqual(result.report);

    // Exactly one final record per (arm, case, repeat), each as the plan says.
    const journal: JournalRecord[] = [];
    for await (const r of readJournal(join(runDir, 'results.jsonl'))) journal.push(r);
    expect(journal).toHaveLength(SIZE * ARMS.length);
    expect(new Set(journal.map((r) => `${r.arm}/${r.case}/${r.repeat}`)).size).toBe(SIZE * ARMS.length);
    for (const r of journal) {
      const { name, expected } = rowOf(r.case);
      expect({ fault: name, outcome: r.outcome, failure: r.failure, attempts: r.attempts, status: r.status }, `${r.arm} case ${r.case}`).toEqual({
        fault: name,
        ...expected,
      });
      // A failed call has a message saying why; an answered one does not; a timeout has no latency.
      expect(r.error === null).toBe(expected.outcome === 'ok');
      if (expected.outcome === 'timeout') expect(r.latencyMs).toBeNull();
      if (expected.outcome === 'ok') expect(r.output?.score).toBeTypeOf('number');
    }

    // The report's outcome counts per arm are the plan's.
    const planned = { ok: 0, error: 0, timeout: 0, invalid: 0 };
    for (let i = 0; i < SIZE; i++) planned[rowOf(i).expected.outcome]++;
    const arms = report.scenarios[0]!.arms;
    expect(arms.map((a) => a.name)).toEqual([...ARMS]);
    // Failures are split by whose they are (an unreachable or refusing service vs a model's unusable
    // or late answer), and the retries the transient faults cost are counted.
    const kinds = { infrastructure: 0, model: 0 };
    let retries = 0;
    for (let i = 0; i < SIZE; i++) {
      const { outcome, attempts } = rowOf(i).expected;
      if (outcome === 'error') kinds.infrastructure++;
      else if (outcome !== 'ok') kinds.model++;
      retries += attempts - 1;
    }
    for (const arm of arms) {
      expect(arm.outcomes).toEqual(planned);
      expect(arm.calls).toBe(SIZE);
      expect(arm.failures).toEqual(kinds);
      expect(arm.retries).toBe(retries);
    }

    // The server saw every attempt the journal records and nothing else: the sum of attempts is the
    // number of requests, and each call's body was distinct (attempts were counted per call).
    const attempts = journal.reduce((n, r) => n + r.attempts, 0);
    expect(server.served).toHaveLength(attempts);
    expect(new Set(server.served.map((s) => s.bodyHash)).size).toBe(SIZE * ARMS.length);
    const injected = { ok: 0, status: 0, hang: 0, reset: 0, 'malformed-json': 0, json: 0, drip: 0 };
    for (let i = 0; i < SIZE; i++) {
      const row = rowOf(i);
      for (let a = 1; a <= row.expected.attempts; a++) injected[row.fault(a).kind] += ARMS.length;
    }
    expect(server.counts()).toEqual(injected);

    // Retry-After: 1 was honoured: each retry came at least a second after its 429.
    const waited = new Map<string, number[]>();
    for (const s of requests.filter((r) => rowOf(r.index).name === '429 Retry-After: 1, then ok')) {
      waited.set(s.bodyHash, [...(waited.get(s.bodyHash) ?? []), s.at]);
    }
    expect(waited.size).toBe(ARMS.length * CASES_PER_ROW);
    for (const [first, second] of waited.values()) expect(second! - first!).toBeGreaterThanOrEqual(950);

    expect(unhandled).toEqual([]);
  });
});
