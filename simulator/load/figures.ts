import type { LatencyHistogram } from './histogram.ts';
import type { LoadFigures } from './load-report.ts';

/** What the open and closed models both give. */
export interface PhaseOutcome {
  readonly finished: number;
  readonly replies: number;
  readonly dropped?: number;
  readonly durationMs: number;
  readonly latency: LatencyHistogram;
  readonly errors: Readonly<Record<string, number>>;
  /** Open model only. */
  readonly schedulingError?: LatencyHistogram;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The report figures of one phase or step. */
export function figuresOf(outcome: PhaseOutcome): LoadFigures {
  const byType = Object.fromEntries(Object.entries(outcome.errors).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
  const total = Object.values(byType).reduce((sum, n) => sum + n, 0);
  return {
    durationMs: round(outcome.durationMs, 1),
    requests: outcome.finished,
    throughput: outcome.durationMs > 0 ? round((outcome.replies * 1_000) / outcome.durationMs, 2) : 0,
    latency: outcome.latency.summary(),
    errors: { total, byType },
    errorRate: outcome.finished > 0 ? round(total / outcome.finished, 6) : null,
    dropped: outcome.dropped ?? 0,
    schedulingErrorP99Ms: outcome.schedulingError && outcome.schedulingError.count > 0 ? Math.max(0, outcome.schedulingError.percentile(99)) : null,
  };
}
