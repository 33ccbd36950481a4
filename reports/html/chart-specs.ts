/**
 * The Vega-Lite specs of the report's charts, one function per chart, each taking plain rows. The
 * data are inline values: labels that come from a scenario or from data (arm names, subgroup
 * values) are data here, and vega escapes them when it writes the SVG.
 */
import type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

// Pieces of TopLevelSpec, derived from the one type vega-lite exports.
type LayeredSpec = Extract<TopLevelSpec, { layer: unknown }>;
type Layer = LayeredSpec['layer'][number];
type Encoding = NonNullable<Extract<Layer, { mark: unknown }>['encoding']>;

/** Arms in scenario order, so colours follow the arm table. */
const armColor = (arms: readonly string[]): Encoding['color'] => ({ field: 'arm', type: 'nominal', title: 'arm', sort: [...arms], scale: { domain: [...arms] } });

/** A rate axis from 0 to 1. */
const rate = (field: string, title: string): Encoding['x'] => ({ field, type: 'quantitative', scale: { domain: [0, 1] }, title });

const diagonal = (): Layer => ({
  data: { values: [{ x: 0, y: 0, x2: 1, y2: 1 }] },
  mark: { type: 'rule', strokeDash: [4, 4], color: '#999' },
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, x2: { field: 'x2' }, y2: { field: 'y2' } },
});

export interface RocRow {
  readonly arm: string;
  /** Position along the arm's curve (the line is drawn in this order). */
  readonly i: number;
  readonly fpr: number;
  readonly tpr: number;
}

export function rocSpec(rows: readonly RocRow[], arms: readonly string[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    width: 360,
    height: 300,
    layer: [
      diagonal(),
      {
        data: { values: [...rows] },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
        encoding: {
          x: rate('fpr', 'false-positive rate (1 − specificity)'),
          y: rate('tpr', 'true-positive rate (sensitivity)'),
          color: armColor(arms),
          order: { field: 'i', type: 'quantitative' },
        },
      },
    ],
  };
}

export interface CalibrationRow {
  readonly arm: string;
  readonly meanScore: number;
  readonly observedRate: number;
  readonly count: number;
}

export function calibrationSpec(rows: readonly CalibrationRow[], arms: readonly string[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    width: 360,
    height: 300,
    layer: [
      diagonal(),
      {
        data: { values: [...rows] },
        mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
        encoding: {
          x: rate('meanScore', 'mean predicted risk (bin)'),
          y: rate('observedRate', 'observed event rate'),
          color: armColor(arms),
          tooltip: [{ field: 'count', title: 'calls' }],
        },
      },
    ],
  };
}

export interface DeltaRow {
  readonly arm: string;
  readonly metric: string;
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

/** Change against the baseline per arm, one panel per metric, with the paired bootstrap CI as whiskers. */
export function deltaSpec(rows: readonly DeltaRow[], arms: readonly string[], metrics: readonly string[]): TopLevelSpec {
  const y: Encoding['y'] = { field: 'arm', type: 'nominal', title: null, sort: [...arms] };
  return {
    $schema: SCHEMA,
    data: { values: [...rows] },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: [...metrics] } },
    spec: {
      width: 190,
      height: { step: 26 },
      layer: [
        { mark: { type: 'rule', strokeDash: [3, 3], color: '#999' }, encoding: { x: { datum: 0, type: 'quantitative' } } },
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: 'change vs baseline' }, x2: { field: 'hi' }, color: armColor(arms) } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { y, x: { field: 'value', type: 'quantitative' }, color: armColor(arms) } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

export interface FairnessRow {
  readonly attribute: string;
  /** The subgroup with its size, e.g. `female (n=512)`. */
  readonly group: string;
  readonly measure: string;
  readonly value: number;
}

export function fairnessSpec(rows: readonly FairnessRow[], attributes: readonly string[], measures: readonly string[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    data: { values: [...rows] },
    facet: { row: { field: 'attribute', type: 'nominal', title: null, sort: [...attributes], header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
    spec: {
      width: 360,
      height: { step: 24 },
      mark: { type: 'bar', height: { band: 0.85 } },
      encoding: {
        y: { field: 'group', type: 'nominal', title: null, axis: { labelLimit: 300 } },
        yOffset: { field: 'measure', sort: [...measures] },
        x: rate('value', 'rate'),
        color: { field: 'measure', type: 'nominal', title: 'measure', sort: [...measures], scale: { domain: [...measures], scheme: 'set2' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export interface LatencyRow {
  readonly arm: string;
  readonly lower: number;
  readonly upper: number;
  /** Share of the arm's answered calls in the bin. */
  readonly share: number;
}

export function latencySpec(rows: readonly LatencyRow[], arms: readonly string[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    data: { values: [...rows] },
    facet: { row: { field: 'arm', type: 'nominal', title: null, sort: [...arms], header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 520,
      height: 60,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'lower', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
        x2: { field: 'upper' },
        y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '.0%', tickCount: 2 } },
        y2: { datum: 0 },
        color: armColor(arms),
      },
    },
  };
}

export interface SaturationRow {
  readonly rate: number;
  readonly percentile: string;
  readonly ms: number;
  readonly sustainable: string;
}

/** Offered rate against latency percentiles per step, with the SLO as a dashed line. */
export function saturationSpec(rows: readonly SaturationRow[], sloMs: number | null): TopLevelSpec {
  const x: Encoding['x'] = { field: 'rate', type: 'quantitative', title: 'offered rate (requests/s)' };
  const y: Encoding['y'] = { field: 'ms', type: 'quantitative', title: 'latency (ms)' };
  const layers: Layer[] = [
    { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: { field: 'percentile', type: 'nominal', title: 'percentile' } } },
    {
      mark: { type: 'point', size: 70, filled: true },
      encoding: {
        x,
        y,
        color: { field: 'percentile', type: 'nominal' },
        shape: { field: 'sustainable', type: 'nominal', title: 'step', scale: { domain: ['sustainable', 'not sustainable'], range: ['circle', 'cross'] } },
      },
    },
  ];
  if (sloMs !== null) {
    layers.push({ mark: { type: 'rule', strokeDash: [6, 4], color: '#b00' }, encoding: { y: { datum: sloMs, type: 'quantitative' } } });
  }
  return { $schema: SCHEMA, width: 420, height: 260, data: { values: [...rows] }, layer: layers };
}
