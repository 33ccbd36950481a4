import type { LoadPhaseReport } from './load-report.ts';

/**
 * Gate figures over load phases, k6-style: `load.p99 < 500`, `load.throughput >= 100`,
 * `load.errorRate < 0.01`. A selector names a phase (`load.p99[peak]`); without one (or with
 * `[*]`) the gate reads the worst phase: the highest latency, error rate or dropped count, the
 * lowest throughput or sustainable rate. Phases without the figure (no replies; not a saturation
 * phase) are skipped; none left gives null (a failed gate, as for other figures without a value).
 */
interface LoadFigure {
  readonly read: (phase: LoadPhaseReport) => number | null | undefined;
  /** Which phase is the worst one for this figure. */
  readonly worst: 'max' | 'min';
}

export const LOAD_FIGURES = {
  'load.p50': { read: (p) => p.latency?.p50, worst: 'max' },
  'load.p90': { read: (p) => p.latency?.p90, worst: 'max' },
  'load.p95': { read: (p) => p.latency?.p95, worst: 'max' },
  'load.p99': { read: (p) => p.latency?.p99, worst: 'max' },
  'load.p999': { read: (p) => p.latency?.p999, worst: 'max' },
  'load.max': { read: (p) => p.latency?.max, worst: 'max' },
  'load.throughput': { read: (p) => p.throughput, worst: 'min' },
  'load.errorRate': { read: (p) => p.errorRate, worst: 'max' },
  'load.dropped': { read: (p) => p.dropped, worst: 'max' },
  'load.sustainableRate': { read: (p) => (p.executor === 'saturation' ? p.sustainableRate : undefined), worst: 'min' },
} as const satisfies Record<string, LoadFigure>;

export type LoadFigureName = keyof typeof LOAD_FIGURES;

export function isLoadFigure(figure: string): figure is LoadFigureName {
  return Object.hasOwn(LOAD_FIGURES, figure);
}

/**
 * The value a gate compares: `selector` is a phase name, or `*` for the worst phase. A saturation
 * phase without a sustainable rate reads 0 for `load.sustainableRate`.
 */
export function readLoadFigure(figure: LoadFigureName, selector: string, phases: readonly LoadPhaseReport[]): number | null {
  const { read, worst } = LOAD_FIGURES[figure] as LoadFigure;
  const chosen = selector === '*' ? phases : phases.filter((p) => p.name === selector);
  const values: number[] = [];
  for (const phase of chosen) {
    const value = read(phase);
    if (typeof value === 'number') values.push(value);
    else if (figure === 'load.sustainableRate' && phase.executor === 'saturation') values.push(0);
  }
  if (values.length === 0) return null;
  return worst === 'max' ? Math.max(...values) : Math.min(...values);
}
