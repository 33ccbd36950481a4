import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { TrendPoint } from './trends.ts';

export interface TrendChartOptions {
  /** Axis title of the figure plotted. */
  readonly metricLabel: string;
  /** Arms in legend order. */
  readonly arms: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

/**
 * A trend as static SVG, rendered on the server: one line per arm with a point per run, and
 * whiskers for the 95% interval where the report has one. The page carries no script (its CSP
 * forbids any), so the chart is markup. Vega escapes the text it writes (arm names in the legend
 * and the points' aria-labels).
 */
export async function renderTrendSvg(points: readonly TrendPoint[], options: TrendChartOptions): Promise<string> {
  const values = points.map((p) => ({ time: p.startedAt, value: p.value, lo: p.lo, hi: p.hi, arm: p.arm, run: p.runId }));
  const x = { field: 'time', type: 'temporal', title: 'run started (UTC)', scale: { type: 'utc' } } as const;
  const color = { field: 'arm', type: 'nominal', title: 'arm', scale: { domain: [...options.arms] } } as const;
  const spec: TopLevelSpec = {
    width: options.width ?? 760,
    height: options.height ?? 320,
    background: 'white',
    data: { values },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
        mark: { type: 'rule', opacity: 0.6 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: options.metricLabel }, y2: { field: 'hi' }, color },
      },
      {
        mark: { type: 'line', point: { size: 50, filled: true } },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: options.metricLabel, scale: { zero: false } },
          color,
          // Carried into each point's aria-label, which names its run.
          tooltip: [{ field: 'run', title: 'run' }, { field: 'arm' }, { field: 'value', type: 'quantitative', title: options.metricLabel }],
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
