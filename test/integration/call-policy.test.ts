/**
 * The call policy against real servers on loopback: retries only where they are allowed, the
 * rate limit as the server counts it, and the acceptance case of issue 5: a server that answers
 * 429 with Retry-After for a while, then recovers. The run loses no case, counts no 429 as a
 * failure, records its retries, and its adaptive concurrency drops and comes back.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../adapters/create.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { generatedSource } from '../../simulator/cohort/source.ts';
import { Report } from '../../simulator/metrics/report-types.ts';
import type { LimitChange } from '../../simulator/run/call-gate.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { JournalWriter, readJournal } from '../../simulator/run/journal.ts';
import { runScenario } from '../../simulator/run/run-scenario.ts';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';

const SERVICE_MS = 25;
const THROTTLE_MS = 1_500;

/** What the server saw of one request it answered normally. */
interface Arrival {
  readonly at: number;
  /** Requests in flight at the server, this one included. */
  readonly inFlight: number;
}

/** Each route's own record of what it was sent. */
class RouteLog {
  requests = 0;
  throttled = 0;
  inFlight = 0;
  readonly arrivals: Arrival[] = [];
  throttleEnd: number | null = null;
}

let server: FastifyInstance;
let base: string;
let dir: string;
const logs = new Map<string, RouteLog>();

/** A fresh route name (and log) per test, so tests cannot see each other's requests. */
function route(name: string): { url: string; log: RouteLog } {
  const log = new RouteLog();
  logs.set(name, log);
  return { url: `${base}/${name}`, log };
}

function loaded(input: ScenarioInput): LoadedScenario {
  return { scenario: Scenario.parse(input), file: null, contentHash: 'test' };
}

async function journalOf(runDir: string): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  for await (const r of readJournal(join(runDir, 'results.jsonl'))) out.push(r);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinsim-policy-'));
  server = Fastify({ forceCloseConnections: true });
  server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
  // /throttle-<n>: 429 with Retry-After: 1 for THROTTLE_MS from its first request, then scores.
  // /unavailable-<n>: always 503. /count-<n>: scores at once.
  server.post('/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const log = logs.get(name);
    if (!log) return reply.code(404).send({ error: 'unknown route' });
    log.requests++;
    const now = performance.now();
    if (name.startsWith('unavailable')) return reply.code(503).send({ error: 'unavailable' });
    if (name.startsWith('throttle')) {
      log.throttleEnd ??= now + THROTTLE_MS;
      if (now < log.throttleEnd) {
        log.throttled++;
        return reply.code(429).header('retry-after', '1').send({ error: 'slow down' });
      }
    }
    log.inFlight++;
    log.arrivals.push({ at: now, inFlight: log.inFlight });
    if (name.startsWith('throttle')) await sleep(SERVICE_MS);
    log.inFlight--;
    return { score: 0.3 };
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('retries', () => {
  it('honours retries: 0: a 503 server sees exactly one request per call, and the failures are infrastructure', async () => {
    const { url, log } = route('unavailable-1');
    const size = 30;
    const runDir = join(dir, 'unavailable');
    const { report } = await executeRun({
      runId: 'unavailable',
      runDir,
      signal: new AbortController().signal,
      resamples: 10,
      scenarios: [
        loaded({
          name: 'unavailable',
          task: 'sepsis',
          cohort: { size, seed: 5 },
          target: { adapter: 'http-json', url, retries: 0, concurrency: 4 },
          arms: { baseline: [] },
        }),
      ],
    });
    expect(log.requests).toBe(size);
    const journal = await journalOf(runDir);
    expect(journal).toHaveLength(size);
    expect(journal.every((r) => r.attempts === 1 && r.outcome === 'error' && r.failure === 'http-status' && r.status === 503)).toBe(true);
    const arm = report!.scenarios[0]!.arms[0]!;
    expect(arm.failures).toEqual({ infrastructure: size, model: 0 });
    expect(arm.retries).toBe(0);
    // Not answered is not wrong: no quality figure, no safety failure, nothing to gate on but the errors.
    expect(arm.metrics.auroc.value).toBeNull();
    expect(arm.safety.failures).toBe(0);
    expect(await readFile(join(runDir, 'summary.md'), 'utf8')).toContain(`failed calls (infrastructure / model): baseline ${size} / 0`);
  });
});

describe('rate limit', () => {
  it('keeps the calls a server receives within the limit in every 250 ms window', async () => {
    const perWindow = (arrivals: readonly Arrival[]) => {
      const t0 = arrivals[0]!.at;
      const counts = new Map<number, number>();
      for (const a of arrivals) counts.set(Math.floor((a.at - t0) / 250), (counts.get(Math.floor((a.at - t0) / 250)) ?? 0) + 1);
      return Math.max(...counts.values());
    };
    const run = async (name: string, rateLimit?: number) => {
      const { url, log } = route(name);
      await executeRun({
        runId: name,
        runDir: join(dir, name),
        signal: new AbortController().signal,
        resamples: 10,
        scenarios: [
          loaded({
            name,
            task: 'sepsis',
            cohort: { size: 30, seed: 6 },
            target: { adapter: 'http-json', url, concurrency: 8, ...(rateLimit === undefined ? {} : { rateLimit }) },
            arms: { baseline: [] },
          }),
        ],
      });
      expect(log.requests).toBe(30);
      return log.arrivals;
    };

    // 20 calls/s: 5 per window at most, 6 when a window opens with the token saved up; one more
    // for the network and event loop between the client's start and the server's arrival.
    const limited = await run('count-limited', 20);
    expect(perWindow(limited)).toBeLessThanOrEqual(7);
    const span = limited.at(-1)!.at - limited[0]!.at;
    expect(span).toBeGreaterThanOrEqual((29 / 20) * 1000 - 50);
    // The same run without the limit sends far more per window: the bound above is the limit's doing.
    expect(perWindow(await run('count-unlimited'))).toBeGreaterThan(7);
  });
});

describe('a server that throttles with 429 and Retry-After, then recovers (acceptance)', () => {
  const SIZE = 100;
  const policy = { concurrency: 8, retries: 6, timeoutMs: 5_000 } as const;

  it('completes the run with every case once, every call ok, no 429 counted as a failure, retries recorded', async () => {
    const { url, log } = route('throttle-run');
    const runDir = join(dir, 'throttled');
    const { report } = await executeRun({
      runId: 'throttled',
      runDir,
      signal: new AbortController().signal,
      resamples: 10,
      scenarios: [
        loaded({
          name: 'throttled',
          task: 'sepsis',
          cohort: { size: SIZE, seed: 7 },
          target: { adapter: 'http-json', url, ...policy },
          arms: { baseline: [] },
        }),
      ],
    });
    expect(log.throttled).toBeGreaterThan(0);

    const journal = await journalOf(runDir);
    expect(journal).toHaveLength(SIZE);
    expect(new Set(journal.map((r) => r.case)).size).toBe(SIZE);
    expect(journal.filter((r) => r.outcome !== 'ok')).toEqual([]);
    const retries = journal.reduce((sum, r) => sum + r.attempts - 1, 0);
    expect(retries).toBeGreaterThan(0);
    // Every 429 the server sent was retried by some call: none was the end of one.
    expect(retries).toBe(log.throttled);

    const parsed = Report.parse(JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')));
    expect(parsed).toEqual(report);
    const arm = parsed.scenarios[0]!.arms[0]!;
    expect(arm.outcomes).toEqual({ ok: SIZE, error: 0, timeout: 0, invalid: 0 });
    expect(arm.failures).toEqual({ infrastructure: 0, model: 0 });
    expect(arm.retries).toBe(retries);
    expect(arm.safety.failures).toBe(0);
    expect(await readFile(join(runDir, 'summary.md'), 'utf8')).toContain(`failed calls: none · retries: ${retries} (baseline ${retries})`);

    // As the server saw it: the first answered requests came one or two at a time (the limit had
    // dropped to 1 and rises by one per `limit` answers), later ones at the configured 8 again.
    const inFlight = log.arrivals.map((a) => a.inFlight);
    expect(Math.max(...inFlight.slice(0, 3))).toBeLessThanOrEqual(2);
    expect(Math.max(...inFlight)).toBeLessThanOrEqual(policy.concurrency);
    expect(Math.max(...inFlight.slice(28))).toBeGreaterThanOrEqual(6);
  });

  it('drops its concurrency limit on 429 and brings it back to the configured value', async () => {
    const { url, log } = route('throttle-limit');
    const changes: LimitChange[] = [];
    const scenario = Scenario.parse({
      name: 'throttled-limit',
      task: 'sepsis',
      cohort: { size: SIZE, seed: 8 },
      target: { adapter: 'http-json', url, ...policy },
      arms: { baseline: [] },
    });
    const target = scenario.target!;
    const journal = await JournalWriter.open(join(dir, 'limit.jsonl'));
    const records: JournalRecord[] = [];
    const result = await runScenario({
      scenario,
      task: tasks.sepsis,
      adapter: createAdapter(target),
      policy: target,
      threshold: 0.1,
      journal,
      signal: new AbortController().signal,
      source: generatedSource(tasks.sepsis, { seed: 8 }, SIZE),
      onCaseDone: (r) => records.push(...r),
      onLimitChange: (change) => changes.push(change),
    });
    await journal.close();
    expect(result).toEqual({ cases: SIZE, interrupted: false });
    expect(records.every((r) => r.outcome === 'ok')).toBe(true);
    expect(log.throttled).toBeGreaterThan(0);

    const limits = changes.map((c) => c.limit);
    const lowest = Math.min(...limits);
    expect(lowest).toBe(1);
    // Down by halves to 1 while throttled, then up one step at a time to the configured 8, never above.
    const firstRise = changes.findIndex((c) => c.reason === 'recovered');
    expect(changes.slice(0, firstRise).map((c) => c.limit)).toEqual([4, 2, 1]);
    expect(changes.slice(firstRise).map((c) => c.limit)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(Math.max(...limits)).toBe(policy.concurrency);
  });
});
