import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpJsonAdapter, httpJsonRequest } from '../../adapters/http-json.ts';
import { inProcessAdapter } from '../../adapters/in-process.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { parseDuration } from '../../simulator/load/duration.ts';
import { LatencyHistogram } from '../../simulator/load/histogram.ts';
import { readLoadFigure } from '../../simulator/load/load-figures.ts';
import { LoadReport, type LoadPhaseReport } from '../../simulator/load/load-report.ts';
import { runOpenModel, type Send } from '../../simulator/load/open-model.ts';
import { LoadSchema, splitPhases, type LoadPhase } from '../../simulator/load/phase-schema.ts';
import { runLoad, startBackgroundLoad, type LoadTarget } from '../../simulator/load/run-load.ts';
import { constantSchedule, rampingSchedule } from '../../simulator/load/schedule.ts';
import { adapterLoadTarget, cohortInputs } from '../../simulator/load/target.ts';

/** Load phases: schema, schedules, the scheduler's bounds, and every executor end to end on loopback. */

function issues(input: unknown): Array<[string, string]> {
  const parsed = LoadSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the load to be rejected');
  return parsed.error.issues.map((i) => [i.path.join('.'), i.message]);
}

const collect = (it: Iterator<number>): number[] => {
  const out: number[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
};

describe('load schema', () => {
  it('parses durations', () => {
    expect(parseDuration('20s')).toBe(20_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('1h')).toBe(3_600_000);
    for (const bad of ['20', '', 's', '20 s', '2d', '-1s', '1s2']) expect(parseDuration(bad)).toBeUndefined();
  });

  it("normalises DESIGN.md's single-object form, filling the defaults", () => {
    expect(LoadSchema.parse({ executor: 'constant-arrival-rate', rate: 50, duration: '20s' })).toEqual([
      {
        name: 'constant-arrival-rate',
        executor: 'constant-arrival-rate',
        background: false,
        timeoutMs: 10_000,
        ratePerSecond: 50,
        durationMs: 20_000,
        // 50/s × (10 s timeout + 1 s) + 10: cannot bind before requests time out.
        maxInFlight: 560,
        maxRequests: 1_000,
      },
    ]);
  });

  it('names the phases of a list, numbering repeated executors', () => {
    const phases = LoadSchema.parse([
      { executor: 'closed', connections: 4, amount: 100 },
      { executor: 'closed', name: 'warm', duration: '2s' },
      { executor: 'closed' },
      { executor: 'ramping-arrival-rate', timeUnit: '1m', stages: [{ target: 600, duration: '30s' }], background: true },
      { executor: 'saturation', startRate: 50, maxRate: 200, slo: { p99: 500 } },
    ]);
    expect(phases.map((p) => p.name)).toEqual(['closed', 'warm', 'closed-2', 'ramping-arrival-rate', 'saturation']);
    expect(phases[0]).toMatchObject({ connections: 4, amount: 100, durationMs: null });
    expect(phases[2]).toMatchObject({ connections: 10, amount: null, durationMs: 10_000, maxDurationMs: 600_000 });
    expect(phases[3]).toMatchObject({ stages: [{ targetPerSecond: 10, durationMs: 30_000 }], maxRequests: 150, background: true });
    expect(phases[4]).toMatchObject({ ratesPerSecond: [50, 100, 150, 200], stepDurationMs: 10_000, sloP99Ms: 500, errorBudget: 0.01 });
    const { foreground, background } = splitPhases(phases);
    expect(foreground.map((p) => p.name)).toEqual(['closed', 'warm', 'closed-2', 'saturation']);
    expect(background.map((p) => p.name)).toEqual(['ramping-arrival-rate']);
  });

  it('answers bad input with the field path and the problem', () => {
    expect(issues({ executor: 'constant-arrival-rate', rate: 50, duration: '20' })).toEqual([
      ['duration', '"20" is not a duration; write e.g. "500ms", "20s", "2m", "1h" or "1m30s"'],
    ]);
    expect(issues([{ executor: 'constant-arrival-rate', rate: 50, duration: '2h' }])).toEqual([['0.duration', '"2h" is out of bounds: from 100ms to 1h']]);
    expect(issues({ executor: 'closed', duration: '5s', amount: 10 })).toEqual([['amount', 'give "duration" or "amount", not both']]);
    expect(issues({ executor: 'poisson' })[0]![0]).toBe('executor');
    expect(issues({ executor: 'constant-arrival-rate', rate: 500_000, duration: '1s' })[0]).toEqual(['rate', '500000/s is above the limit of 100000/s']);
    expect(issues({ executor: 'constant-arrival-rate', rate: 20_000, duration: '1s' })[0]![0]).toBe('maxInFlight');
    expect(issues([{ executor: 'closed', name: 'a' }, { executor: 'closed', name: 'a' }])).toEqual([['1.name', 'phase name "a" is used twice']]);
    expect(issues({ executor: 'saturation', startRate: 1, step: 1, maxRate: 500, slo: { p99: 100 } })[0]![0]).toBe('step');
    expect(issues({ executor: 'saturation', startRate: 10, maxRate: 20, slo: { p99: 100 }, background: true })[0]![0]).toBe('');
    expect(issues({ executor: 'ramping-arrival-rate', stages: [{ target: 0, duration: '1s' }] })[0]![0]).toBe('stages');
    expect(issues([])[0]![1]).toBe('needs at least one phase');
  });
});

describe('schedules', () => {
  it('constant: request n at n/rate, the count rounded up', () => {
    const s = constantSchedule(4, 1_000);
    expect(s.total).toBe(4);
    expect(collect(s.times())).toEqual([0, 250, 500, 750]);
    expect(constantSchedule(3, 1_000).total).toBe(3);
    expect(constantSchedule(2.5, 1_000).total).toBe(3);
    expect(constantSchedule(100, 1_000, 7).total).toBe(7);
  });

  it('ramping: the cumulative count follows the integral of the rate', () => {
    // 0 -> 100/s over 10 s: N(t) = 5·t², 500 in all, 125 in the first 5 s.
    const up = collect(rampingSchedule(0, [{ targetPerSecond: 100, durationMs: 10_000 }]).times());
    expect(up).toHaveLength(500);
    expect(up.filter((t) => t < 5_000)).toHaveLength(125);
    expect(up[100]).toBeCloseTo(Math.sqrt(100 / 5) * 1000, 6);
    for (let i = 1; i < up.length; i++) expect(up[i]!).toBeGreaterThanOrEqual(up[i - 1]!);
    // Up, flat, down, pause, up, flat: 50 + 100 + 50 + 0 + 10 + 20.
    const multi = collect(
      rampingSchedule(0, [
        { targetPerSecond: 100, durationMs: 1_000 },
        { targetPerSecond: 100, durationMs: 1_000 },
        { targetPerSecond: 0, durationMs: 1_000 },
        { targetPerSecond: 0, durationMs: 1_000 },
        { targetPerSecond: 20, durationMs: 1_000 },
        { targetPerSecond: 20, durationMs: 1_000 },
      ]).times(),
    );
    expect(multi.filter((t) => t < 1_000)).toHaveLength(50);
    expect(multi.filter((t) => t >= 1_000 && t < 2_000)).toHaveLength(100);
    expect(multi.filter((t) => t >= 2_000 && t < 3_000)).toHaveLength(50);
    expect(multi.filter((t) => t >= 3_000 && t < 4_000)).toHaveLength(0);
    expect(multi.filter((t) => t >= 4_000 && t < 5_000)).toHaveLength(10);
    expect(multi.filter((t) => t >= 5_000)).toHaveLength(20);
    expect(multi).toHaveLength(230);
  });
});

describe('histogram', () => {
  it('reads percentiles in ms at microsecond resolution', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    expect(h.summary()).toEqual({ p50: 50.015, p90: 90.047, p95: 95.039, p99: 99.007, p999: 99.903, max: 100 });
    expect(h.fractionAbove(90)).toBeCloseTo(0.1, 2);
    expect(new LatencyHistogram().summary()).toBeNull();
  });
});

describe('open model bounds', () => {
  const after = (ms: number): Send<number> => (_b, signal) =>
    new Promise((resolve) => {
      const t = setTimeout(() => resolve({ ok: true, status: 200 }), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve({ ok: false, errorType: 'transport' });
      });
    });

  it('drops requests due while the in-flight cap is reached', async () => {
    const result = await runOpenModel({ schedule: constantSchedule(100, 1_000), bodies: [1], send: after(100), timeoutMs: 5_000, maxInFlight: 5 }).done;
    expect(result.sent + result.dropped).toBe(100);
    expect(result.dropped).toBeGreaterThan(30);
    expect(result.ok).toBe(result.sent);
    expect(result.latency.percentile(50)).toBeGreaterThanOrEqual(99);
  });

  it('counts a request past its deadline as a timeout, latency from the intended time', async () => {
    const result = await runOpenModel({ schedule: constantSchedule(50, 200), bodies: [1], send: after(10_000), timeoutMs: 50, maxInFlight: 100 }).done;
    expect(result.errors).toEqual({ timeout: 10 });
    expect(result.latency.count).toBe(10);
    expect(result.latency.percentile(0)).toBeGreaterThanOrEqual(49);
  });

  it('gives up on a send that ignores its signal, after the deadline and the grace period', async () => {
    const t0 = performance.now();
    const never: Send<number> = () => new Promise(() => {});
    const result = await runOpenModel({ schedule: constantSchedule(10, 200), bodies: [1], send: never, timeoutMs: 50, maxInFlight: 100, graceMs: 50 }).done;
    expect(result.errors).toEqual({ timeout: 2 });
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('stops early on stop(), and reports an abort as interrupted', async () => {
    const run = runOpenModel({ schedule: constantSchedule(100, 60_000), bodies: [1], send: after(1), timeoutMs: 1_000, maxInFlight: 100 });
    await sleep(200);
    run.stop();
    const stopped = await run.done;
    expect(stopped.interrupted).toBe(false);
    expect(stopped.durationMs).toBeLessThan(1_000);
    expect(stopped.sent).toBeGreaterThan(5);
    expect(stopped.sent).toBeLessThan(60);

    const controller = new AbortController();
    const aborted = runOpenModel({ schedule: constantSchedule(100, 60_000), bodies: [1], send: after(50), timeoutMs: 1_000, maxInFlight: 100, signal: controller.signal });
    await sleep(100);
    controller.abort();
    expect((await aborted.done).interrupted).toBe(true);
  });
});

describe('runLoad on loopback', () => {
  let server: FastifyInstance;
  let base: string;
  let calls = 0;
  const seen = new Map<string, number>();

  beforeAll(async () => {
    server = Fastify({ forceCloseConnections: true });
    server.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, server.getDefaultJsonParser('error', 'error'));
    server.post('/ok', async (request) => {
      calls++;
      const body = request.body as { resourceType?: string; id?: string };
      if (body.resourceType !== 'Bundle' || typeof body.id !== 'string') return { score: 0.9, text: 'not a bundle' };
      seen.set(body.id, (seen.get(body.id) ?? 0) + 1);
      return { score: 0.2 };
    });
    server.post('/slow', async () => {
      await sleep(30);
      return { score: 0.2 };
    });
    server.post('/fail', async (_request, reply) => reply.code(503).send({ error: 'busy' }));
    server.post('/hang', () => new Promise(() => {}));
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  const inputs = cohortInputs(tasks.sepsis, { seed: 7 }, 20);
  const targetAt = (path: string, wire = true) => adapterLoadTarget(httpJsonAdapter({ url: `${base}${path}` }), inputs, wire ? httpJsonRequest({ url: `${base}${path}` }) : undefined);

  it('closed phases replay every real body, cycling across connections', async () => {
    seen.clear();
    const [phase] = LoadSchema.parse({ executor: 'closed', connections: 3, amount: 200 });
    const [report] = await runLoad([phase!], targetAt('/ok'));
    expect(report!.requests).toBe(200);
    expect(report!.errors.total).toBe(0);
    // 20 distinct bundles, each sent 10 times: one global sequence, not one per connection.
    expect([...seen.keys()].sort()).toEqual(inputs.map((i) => i.bundle.id).sort());
    expect([...seen.values()].every((n) => n === 10)).toBe(true);
  });

  it('runs every executor and reports the report.json shape', async () => {
    const phases = LoadSchema.parse([
      { executor: 'closed', name: 'closed-amount', connections: 4, amount: 300 },
      { executor: 'closed', name: 'closed-time', connections: 4, duration: '500ms' },
      { executor: 'constant-arrival-rate', rate: 200, duration: '500ms' },
      { executor: 'ramping-arrival-rate', stages: [{ target: 200, duration: '500ms' }, { target: 0, duration: '500ms' }] },
      { executor: 'saturation', startRate: 50, step: 50, maxRate: 150, stepDuration: '300ms', slo: { p99: 1_000 } },
    ]);
    const before = calls;
    const started: string[] = [];
    const reports = await runLoad(phases, targetAt('/ok'), { onPhaseStart: (p) => started.push(p.name) });
    expect(started).toEqual(phases.map((p) => p.name));
    expect(LoadReport.parse(reports)).toEqual(reports);
    const byName = Object.fromEntries(reports.map((r) => [r.name, r]));

    const amount = byName['closed-amount']!;
    expect(amount.requests).toBe(300);
    expect(amount.errors).toEqual({ total: 0, byType: {} });
    expect(amount.errorRate).toBe(0);
    expect(amount.latency!.p50).toBeGreaterThan(0);
    expect(amount.throughput).toBeGreaterThan(100);
    expect(amount.config).toMatchObject({ connections: 4, amount: 300 });
    expect(byName['closed-time']!.durationMs).toBeGreaterThan(400);

    const constant = byName['constant-arrival-rate']!;
    expect(constant.requests).toBe(100);
    expect(constant.dropped).toBe(0);
    expect(constant.throughput).toBeGreaterThan(100);
    expect(Object.keys(constant.latency!)).toEqual(['p50', 'p90', 'p95', 'p99', 'p999', 'max']);
    expect(constant.schedulingErrorP99Ms).toBeGreaterThanOrEqual(0);
    expect(amount.schedulingErrorP99Ms).toBeNull();
    expect(byName['ramping-arrival-rate']!.requests).toBe(100);

    const saturation = byName.saturation!;
    expect(saturation.curve!.map((s) => s.rate)).toEqual([50, 100, 150]);
    expect(saturation.curve!.every((s) => s.sustainable)).toBe(true);
    expect(saturation.sustainableRate).toBe(150);
    expect(saturation.requests).toBe(saturation.curve![2]!.requests);
    // The closed phases replayed real bundles: the endpoint saw a Bundle each time (score 0.2, no errors).
    expect(calls - before).toBeGreaterThanOrEqual(300 + 100 + 100 + 45 + 15 + 30);
  });

  it('saturation stops at the first step that breaks the SLO', async () => {
    const [phase] = LoadSchema.parse({ executor: 'saturation', startRate: 20, maxRate: 100, stepDuration: '300ms', slo: { p99: 5 } });
    const [report] = await runLoad([phase!], targetAt('/slow'));
    expect(report!.sustainableRate).toBeNull();
    expect(report!.curve).toHaveLength(1);
    expect(report!.curve![0]!.reason).toMatch(/^p99 .* ms is above the SLO of 5 ms$/);
  });

  it('counts the answers of a target without a transport status (in-process) as replies, with latency', async () => {
    const adapter = inProcessAdapter({ predict: async () => ({ score: 0.5 }) });
    const phases = LoadSchema.parse([
      { executor: 'closed', amount: 40, connections: 2 },
      { executor: 'constant-arrival-rate', rate: 100, duration: '300ms' },
    ]);
    const reports = await runLoad(phases, adapterLoadTarget(adapter, inputs));
    for (const r of reports) {
      expect(r.errorRate).toBe(0);
      expect(r.throughput).toBeGreaterThan(0);
      expect(r.latency?.p50).toBeGreaterThan(0);
    }
  });

  it('counts errors by type; closed phases without a wire run a closed loop over send', async () => {
    const phases = LoadSchema.parse([
      { executor: 'closed', amount: 50, connections: 2 },
      { executor: 'constant-arrival-rate', rate: 100, duration: '300ms' },
    ]);
    for (const wire of [true, false]) {
      const reports = await runLoad(phases, targetAt('/fail', wire));
      for (const r of reports) {
        expect(r.errors.byType).toEqual({ 'http-status': r.requests });
        expect(r.errorRate).toBe(1);
        expect(r.throughput).toBeGreaterThan(0); // replies of any status count
      }
      expect(reports[0]!.requests).toBe(50);
    }
  });

  it('counts timeouts in both models, at no less than the deadline', async () => {
    const phases = LoadSchema.parse([
      { executor: 'closed', connections: 2, duration: '1500ms', timeout: '1s' },
      { executor: 'constant-arrival-rate', rate: 20, duration: '500ms', timeout: '200ms' },
    ]);
    const [closed, open] = await runLoad(phases, targetAt('/hang'));
    expect(closed!.errors.byType.timeout).toBeGreaterThanOrEqual(2);
    expect(closed!.latency!.p50).toBeGreaterThanOrEqual(1_000);
    expect(open!.errors).toEqual({ total: 10, byType: { timeout: 10 } });
    expect(open!.latency!.p50).toBeGreaterThanOrEqual(200);
    expect(open!.throughput).toBe(0);
  });

  it('runs background phases until stopped', async () => {
    const phases = LoadSchema.parse([{ executor: 'constant-arrival-rate', rate: 100, duration: '1m', background: true }]);
    const background = startBackgroundLoad(splitPhases(phases).background, targetAt('/ok'));
    await sleep(400);
    const [report] = await background.stop();
    expect(report!.background).toBe(true);
    expect(report!.durationMs).toBeLessThan(2_000);
    expect(report!.requests).toBeGreaterThan(20);
    expect(report!.requests).toBeLessThan(100);
  });

  it('stops on an aborted signal, without a report for the cut phase', async () => {
    const controller = new AbortController();
    const phases: LoadPhase[] = LoadSchema.parse([{ executor: 'constant-arrival-rate', rate: 50, duration: '1m' }, { executor: 'closed', amount: 10 }]);
    const running = runLoad(phases, targetAt('/ok'), { signal: controller.signal });
    await sleep(200);
    controller.abort();
    expect(await running).toEqual([]);
  });
});

describe('load gates', () => {
  const phase = (name: string, p99: number, throughput: number, errorRate: number, extra: Partial<LoadPhaseReport> = {}): LoadPhaseReport => ({
    name,
    executor: 'constant-arrival-rate',
    background: false,
    config: {},
    durationMs: 1000,
    requests: 100,
    throughput,
    latency: { p50: 1, p90: 2, p95: 3, p99, p999: p99 + 1, max: p99 + 2 },
    errors: { total: Math.round(errorRate * 100), byType: {} },
    errorRate,
    dropped: 0,
    schedulingErrorP99Ms: null,
    ...extra,
  });
  const reports = [
    phase('a', 120, 300, 0),
    phase('b', 480, 150, 0.02),
    phase('sat', 90, 400, 0, { executor: 'saturation', sustainableRate: 250, curve: [] }),
  ];

  it('reads the worst phase, or the named one', () => {
    expect(readLoadFigure('load.p99', '*', reports)).toBe(480);
    expect(readLoadFigure('load.p99', 'a', reports)).toBe(120);
    expect(readLoadFigure('load.throughput', '*', reports)).toBe(150);
    expect(readLoadFigure('load.errorRate', '*', reports)).toBe(0.02);
    expect(readLoadFigure('load.sustainableRate', '*', reports)).toBe(250);
    expect(readLoadFigure('load.sustainableRate', 'a', reports)).toBeNull();
    expect(readLoadFigure('load.p99', 'missing', reports)).toBeNull();
    expect(readLoadFigure('load.p99', '*', [phase('x', 1, 1, 0, { latency: null })])).toBeNull();
  });
});

// Keep the type of a custom target honest: any body type works with a matching send.
const _typed: LoadTarget<string> = { bodies: ['a'], send: async () => ({ ok: true }) };
void _typed;
