import { describe, expect, it } from 'vitest';
import { InputError } from '../../simulator/cli/exit-codes.ts';
import { parseShardFlags } from '../../simulator/cli/shard-flag.ts';
import { LoadSchema, type LoadFigures, type LoadPhase, type LoadPhaseReport, type SaturationStep } from '../../simulator/load/index.ts';
import { inShard, mergeFigures, mergePhaseReports, phaseConfig, shardPhase, shardPhaseReport, shareOf, type Shard } from '../../simulator/run/shard.ts';

const shards = (count: number): Shard[] => Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));

describe('shard slices', () => {
  it('are disjoint, cover the cohort, and differ in size by at most one', () => {
    for (const count of [1, 2, 3, 7]) {
      for (const size of [0, 1, 2, 10, 101]) {
        const owners = Array.from({ length: size }, (_, c) => shards(count).filter((s) => inShard(s, c)).length);
        expect(owners.every((n) => n === 1)).toBe(true);
        const sizes = shards(count).map((s) => Array.from({ length: size }, (_, c) => c).filter((c) => inShard(s, c)).length);
        expect(sizes).toEqual(shards(count).map((s) => shareOf(s, size)));
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(size);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('are index % N == i − 1 (i from 1), and everything without a shard', () => {
    expect([0, 1, 2, 3, 4, 5, 6].filter((c) => inShard({ index: 2, count: 3 }, c))).toEqual([1, 4]);
    expect(inShard(null, 12345)).toBe(true);
    expect(shareOf(null, 17)).toBe(17);
  });
});

describe('--shard and --shards', () => {
  const parse = (flags: { shard?: string; shards?: string }, env: NodeJS.ProcessEnv = {}) => parseShardFlags(flags, env);

  it('reads i/N counting from 1, and the 0-based JOB_COMPLETION_INDEX of a Kubernetes Indexed Job', () => {
    expect(parse({ shard: '2/3' })).toEqual({ index: 2, count: 3 });
    expect(parse({ shard: '1/1' })).toEqual({ index: 1, count: 1 });
    expect(parse({ shards: '3' }, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 3 });
    expect(parse({ shards: '3' }, { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 3, count: 3 });
    expect(parse({})).toBeNull();
    // The index in the environment is read only with --shards.
    expect(parse({}, { JOB_COMPLETION_INDEX: '1' })).toBeNull();
  });

  it('refuses what is out of range or malformed, naming the flag', () => {
    const cases: [{ shard?: string; shards?: string }, NodeJS.ProcessEnv, RegExp][] = [
      [{ shard: '0/3' }, {}, /--shard 0\/3: the shard index: counts from 1/],
      [{ shard: '4/3' }, {}, /--shard 4\/3: the shard index: must be at most the shard count/],
      [{ shard: '1/0' }, {}, /--shard 1\/0: .*must be/],
      [{ shard: '2' }, {}, /expected i\/N/],
      [{ shard: 'a/b' }, {}, /expected i\/N/],
      [{ shard: '1/2', shards: '2' }, {}, /not both/],
      [{ shards: '3' }, {}, /JOB_COMPLETION_INDEX .*is not set/],
      [{ shards: '3' }, { JOB_COMPLETION_INDEX: '3' }, /JOB_COMPLETION_INDEX=3: the shard index: must be at most the shard count/],
      [{ shards: '3' }, { JOB_COMPLETION_INDEX: '-1' }, /JOB_COMPLETION_INDEX=-1: must be a whole number/],
      [{ shards: 'x' }, { JOB_COMPLETION_INDEX: '0' }, /--shards x: must be a whole number/],
    ];
    for (const [flags, env, message] of cases) {
      expect(() => parse(flags, env)).toThrow(InputError);
      expect(() => parse(flags, env)).toThrow(message);
    }
  });
});

const phase = (input: unknown): LoadPhase => LoadSchema.parse(input)[0]!;

describe('load phases split across shards', () => {
  it('divides open-model rates and deals out request caps so that the shards add up to the phase', () => {
    const constant = phase({ executor: 'constant-arrival-rate', rate: 50, duration: '2s' });
    const parts = shards(3).map((s) => shardPhase(constant, s));
    for (const p of parts) {
      expect(p.executor).toBe('constant-arrival-rate');
      if (p.executor !== 'constant-arrival-rate' || constant.executor !== 'constant-arrival-rate') continue;
      expect(p.ratePerSecond).toBeCloseTo(50 / 3, 12);
      expect(p.maxInFlight).toBe(Math.ceil(constant.maxInFlight / 3));
    }
    expect(parts.map((p) => (p.executor === 'constant-arrival-rate' ? p.maxRequests : 0))).toEqual([34, 33, 33]);

    const ramp = phase({ executor: 'ramping-arrival-rate', startRate: 30, stages: [{ target: 90, duration: '1s' }] });
    const r = shardPhase(ramp, { index: 1, count: 3 });
    expect(r.executor === 'ramping-arrival-rate' && [r.startRatePerSecond, r.stages[0]!.targetPerSecond]).toEqual([10, 30]);

    const saturation = phase({ executor: 'saturation', startRate: 30, step: 30, maxRate: 90, stepDuration: '1s', slo: { p99: 100 } });
    const s = shardPhase(saturation, { index: 3, count: 3 });
    expect(s.executor === 'saturation' && s.ratesPerSecond).toEqual([10, 20, 30]);
  });

  it('rounds closed-model connections up and deals out its amount', () => {
    const closed = phase({ executor: 'closed', connections: 10, amount: 100 });
    const parts = shards(4).map((s) => shardPhase(closed, s));
    expect(parts.map((p) => (p.executor === 'closed' ? [p.connections, p.amount] : null))).toEqual([
      [3, 25],
      [3, 25],
      [3, 25],
      [3, 25],
    ]);
    const tiny = phase({ executor: 'closed', connections: 2, amount: 2 });
    expect(shards(3).map((s) => shardPhase(tiny, s)).map((p) => (p.executor === 'closed' ? [p.connections, p.amount] : null))).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it('leaves a phase as it is without shards, and keeps the written phase in the shard report', () => {
    const constant = phase({ executor: 'constant-arrival-rate', rate: 30, duration: '1s' });
    expect(shardPhase(constant, null)).toBe(constant);
    const part = shardPhase(constant, { index: 2, count: 3 });
    const report = shardPhaseReport(reportOf(part, figures()), constant, { index: 2, count: 3 });
    expect(report.config).toEqual({ ...phaseConfig(constant), shard: { index: 2, count: 3, config: phaseConfig(part) } });
  });
});

function figures(overrides: Partial<LoadFigures> = {}): LoadFigures {
  return {
    durationMs: 1000,
    requests: 10,
    throughput: 10,
    latency: { p50: 1, p90: 2, p95: 3, p99: 4, p999: 5, max: 6 },
    errors: { total: 0, byType: {} },
    errorRate: 0,
    dropped: 0,
    schedulingErrorP99Ms: 0.5,
    ...overrides,
  };
}

function reportOf(p: LoadPhase, f: LoadFigures, extra: Partial<LoadPhaseReport> = {}): LoadPhaseReport {
  return { name: p.name, executor: p.executor, background: p.background, config: phaseConfig(p), ...f, ...extra };
}

describe('merging the shards’ load figures', () => {
  it('adds counts and throughputs, takes the highest percentiles and durations, and recomputes the error rate', () => {
    const merged = mergeFigures([
      figures({ requests: 10, throughput: 10.5, errors: { total: 1, byType: { timeout: 1 } }, latency: { p50: 1, p90: 9, p95: 3, p99: 4, p999: 5, max: 6 } }),
      figures({ requests: 30, throughput: 29.25, durationMs: 1200, dropped: 2, errors: { total: 3, byType: { transport: 2, timeout: 1 } }, schedulingErrorP99Ms: null }),
      figures({ requests: 0, throughput: 0, latency: null, schedulingErrorP99Ms: 2 }),
    ]);
    expect(merged).toEqual({
      durationMs: 1200,
      requests: 40,
      throughput: 39.75,
      latency: { p50: 1, p90: 9, p95: 3, p99: 4, p999: 5, max: 6 },
      errors: { total: 4, byType: { timeout: 2, transport: 2 } },
      errorRate: 0.1,
      dropped: 2,
      schedulingErrorP99Ms: 2,
    });
    expect(mergeFigures([figures({ requests: 0, latency: null })]).errorRate).toBeNull();
  });

  it('gives the phase as written, whatever the shards ran', () => {
    const constant = phase({ executor: 'constant-arrival-rate', rate: 30, duration: '1s' });
    const parts = shards(3).map((s) => shardPhaseReport(reportOf(shardPhase(constant, s), figures()), constant, s));
    const merged = mergePhaseReports(parts);
    expect(merged.config).toEqual(phaseConfig(constant));
    expect(merged.requests).toBe(30);
  });

  it('merges a saturation curve step by step at the full rate, sustainable only where every shard was', () => {
    const saturation = phase({ executor: 'saturation', startRate: 30, step: 30, maxRate: 120, stepDuration: '1s', slo: { p99: 100 } });
    const step = (rate: number, sustainable: boolean, p99 = 50): SaturationStep => ({
      ...figures({ latency: { p50: 1, p90: 2, p95: 3, p99, p999: p99, max: p99 } }),
      rate,
      sustainable,
      reason: sustainable ? null : `p99 ${p99} ms is above the SLO of 100 ms`,
    });
    const run = (s: Shard, curve: SaturationStep[]) => {
      const last = curve.filter((c) => c.sustainable).at(-1) ?? null;
      return shardPhaseReport(reportOf(shardPhase(saturation, s), figures(), { sustainableRate: last?.rate ?? null, curve }), saturation, s);
    };
    const merged = mergePhaseReports([
      run({ index: 1, count: 2 }, [step(15, true), step(30, true), step(45, true), step(60, false, 300)]),
      run({ index: 2, count: 2 }, [step(15, true), step(30, true), step(45, false, 200)]),
    ]);
    expect(merged.curve!.map((c) => [c.rate, c.sustainable])).toEqual([
      [30, true],
      [60, true],
      [90, false],
    ]);
    expect(merged.curve![2]!.reason).toBe('shard 2/2: p99 200 ms is above the SLO of 100 ms');
    expect(merged.sustainableRate).toBe(60);
    expect(merged.requests).toBe(20);
  });
});
