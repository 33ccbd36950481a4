import type { LoadPhaseReport } from '../simulator/load/index.ts';
import { ms, num, pct } from './format.ts';

/** The per-phase load table shared by the console and the Markdown summary. */
export const LOAD_COLUMNS = ['phase', 'executor', 'requests', 'replies/s', 'p50', 'p95', 'p99', 'p99.9', 'max', 'errors', 'dropped', 'sustainable'] as const;

export function loadRow(phase: LoadPhaseReport): string[] {
  const l = phase.latency;
  return [
    phase.background ? `${phase.name} (background)` : phase.name,
    phase.executor,
    String(phase.requests),
    num(phase.throughput, 1),
    ms(l?.p50),
    ms(l?.p95),
    ms(l?.p99),
    ms(l?.p999),
    ms(l?.max),
    `${phase.errors.total} (${pct(phase.errorRate)})`,
    String(phase.dropped),
    phase.executor === 'saturation' ? `${num(phase.sustainableRate ?? null, 0)}/s` : '—',
  ];
}
