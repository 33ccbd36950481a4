import { z } from 'zod';
import type { LoadFigures, LoadPhase, LoadPhaseReport, SaturationStep } from '../load/index.ts';

/**
 * Shard `index` of `count` (1-based, as `--shard 2/3`): the cases whose patient index i has
 * i % count === index − 1. Patient i depends on (seed, task, i) alone, so a slice is the same
 * whichever machine runs it, the slices are disjoint and cover the cohort, and their sizes differ
 * by at most one. Load phases are split too: each shard offers 1/count of every rate.
 */
export const Shard = z
  .object({
    index: z.number().int().min(1, 'counts from 1'),
    count: z.number().int().min(1, 'must be at least 1').max(10_000, 'must be at most 10000'),
  })
  .refine((s) => s.index <= s.count, { message: 'must be at most the shard count', path: ['index'] });
export type Shard = z.infer<typeof Shard>;

export function inShard(shard: Shard | null, caseIndex: number): boolean {
  return shard === null || caseIndex % shard.count === shard.index - 1;
}

/** How many of `total` items (cases, requests) numbered 0 … total − 1 fall in the shard. */
export function shareOf(shard: Shard | null, total: number): number {
  if (shard === null) return total;
  return Math.max(0, Math.floor((total - shard.index + shard.count) / shard.count));
}

export function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** A phase's options as its report's `config` shows them (LoadPhaseReport.config). */
export function phaseConfig(phase: LoadPhase): Record<string, unknown> {
  const { name: _name, executor: _executor, background: _background, ...config } = phase;
  return config;
}

const atLeastOne = (n: number): number => Math.max(1, n);

/**
 * One shard's part of a phase: open-model rates divided by the shard count, request caps dealt out
 * like cases (shares that add up to the whole), in-flight caps and closed-model connections
 * rounded up (so the shards together keep at least the phase's connections). A share that would
 * be zero is one request or connection: every shard runs every phase.
 */
export function shardPhase(phase: LoadPhase, shard: Shard | null): LoadPhase {
  if (shard === null || shard.count === 1) return phase;
  const n = shard.count;
  const inFlight = (cap: number) => atLeastOne(Math.ceil(cap / n));
  switch (phase.executor) {
    case 'closed': {
      const amount = phase.amount === null ? null : atLeastOne(shareOf(shard, phase.amount));
      const connections = atLeastOne(Math.ceil(phase.connections / n));
      return { ...phase, connections: amount === null ? connections : Math.min(connections, amount), amount };
    }
    case 'constant-arrival-rate':
      return {
        ...phase,
        ratePerSecond: phase.ratePerSecond / n,
        maxRequests: atLeastOne(shareOf(shard, phase.maxRequests)),
        maxInFlight: inFlight(phase.maxInFlight),
      };
    case 'ramping-arrival-rate':
      return {
        ...phase,
        startRatePerSecond: phase.startRatePerSecond / n,
        stages: phase.stages.map((s) => ({ ...s, targetPerSecond: s.targetPerSecond / n })),
        maxRequests: atLeastOne(shareOf(shard, phase.maxRequests)),
        maxInFlight: inFlight(phase.maxInFlight),
      };
    case 'saturation':
      return {
        ...phase,
        ratesPerSecond: phase.ratesPerSecond.map((r) => r / n),
        maxInFlight: phase.maxInFlight === null ? null : inFlight(phase.maxInFlight),
      };
  }
}

/**
 * A shard's phase report as load.json keeps it: `config` is the phase as the scenario wrote it
 * (what the merged report shows), with the shard's own part under `config.shard`.
 */
export function shardPhaseReport(report: LoadPhaseReport, phase: LoadPhase, shard: Shard | null): LoadPhaseReport {
  if (shard === null || shard.count === 1) return report;
  return { ...report, config: { ...phaseConfig(phase), shard: { ...shard, config: report.config } } };
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const maxOrNull = (xs: readonly (number | null)[]): number | null => {
  const present = xs.filter((x): x is number => x !== null);
  return present.length === 0 ? null : Math.max(...present);
};

/**
 * The figures of one phase (or saturation step) run by every shard at the same time. Counts add
 * up (requests, errors by type, dropped) and so do throughputs (the shards of an Indexed Job or CI
 * matrix run side by side); the duration and scheduling error are the longest. Latency
 * percentiles are approximated: load.json keeps percentiles, not histograms, so each merged
 * percentile is the highest of the shards'. That is an upper bound of the true percentile of all
 * requests together (a mixture's quantile lies between its parts'), exact when the shards agree,
 * and `max` is exact.
 */
export function mergeFigures(parts: readonly LoadFigures[]): LoadFigures {
  const requests = sum(parts.map((p) => p.requests));
  const byType: Record<string, number> = {};
  for (const p of parts) for (const [type, n] of Object.entries(p.errors.byType)) byType[type] = (byType[type] ?? 0) + n;
  const total = sum(parts.map((p) => p.errors.total));
  const latencies = parts.map((p) => p.latency).filter((l) => l !== null);
  const worst = (key: keyof NonNullable<LoadFigures['latency']>) => Math.max(...latencies.map((l) => l[key]));
  return {
    durationMs: Math.max(...parts.map((p) => p.durationMs)),
    requests,
    throughput: round(sum(parts.map((p) => p.throughput)), 2),
    latency: latencies.length === 0 ? null : { p50: worst('p50'), p90: worst('p90'), p95: worst('p95'), p99: worst('p99'), p999: worst('p999'), max: worst('max') },
    errors: { total, byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))) },
    errorRate: requests > 0 ? round(total / requests, 6) : null,
    dropped: sum(parts.map((p) => p.dropped)),
    schedulingErrorP99Ms: maxOrNull(parts.map((p) => p.schedulingErrorP99Ms)),
  };
}

/** The phase as the scenario wrote it: a shard's report keeps its own part under `config.shard`. */
function unshardedConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { shard: _shard, ...rest } = config;
  return rest;
}

/**
 * One phase's reports from every shard (same phase, any order) as the report of the whole run.
 * Saturation: step k of the merged curve combines every shard's step k at the phase's full rate,
 * and is sustainable when every shard's was; the curve stops where the first shard stopped.
 */
export function mergePhaseReports(parts: readonly LoadPhaseReport[]): LoadPhaseReport {
  const first = parts[0]!;
  const config = unshardedConfig(first.config);
  const header = { name: first.name, executor: first.executor, background: first.background, config };
  if (first.executor !== 'saturation') return { ...header, ...mergeFigures(parts) };

  const curves = parts.map((p) => p.curve ?? []);
  const fullRates = Array.isArray(config.ratesPerSecond) ? (config.ratesPerSecond as unknown[]) : [];
  const curve: SaturationStep[] = [];
  for (let k = 0; k < Math.min(...curves.map((c) => c.length)); k++) {
    const steps = curves.map((c) => c[k]!);
    const failed = steps.findIndex((s) => !s.sustainable);
    const full = fullRates[k];
    curve.push({
      ...mergeFigures(steps),
      rate: typeof full === 'number' ? full : sum(steps.map((s) => s.rate)),
      sustainable: failed < 0,
      reason: failed < 0 ? null : `shard ${describeShardConfig(parts[failed]!.config.shard) ?? failed + 1}: ${steps[failed]!.reason}`,
    });
  }
  let sustainable: number | null = null;
  for (let k = 0; k < curve.length && curve[k]!.sustainable; k++) sustainable = k;
  const chosen = curve[sustainable ?? 0];
  const figures = chosen ? stepFigures(chosen) : mergeFigures(parts);
  return { ...header, ...figures, sustainableRate: sustainable === null ? null : curve[sustainable]!.rate, curve };
}

function stepFigures({ rate: _rate, sustainable: _sustainable, reason: _reason, ...figures }: SaturationStep): LoadFigures {
  return figures;
}

function describeShardConfig(value: unknown): string | null {
  const parsed = Shard.safeParse(value);
  return parsed.success ? describeShard(parsed.data) : null;
}
