/**
 * The curves behind the report's charts, which report.json does not hold: per arm the ROC curve,
 * the calibration (reliability) curve and the latency distribution. Computed from the journal in
 * one streaming pass beside the report's own: each arm keeps one score and one label per
 * (case, repeat) slot in typed arrays and a fixed set of latency bins, so memory is a few bytes
 * per call whatever the records hold.
 */
import type { Manifest } from '../run/manifest.ts';
import type { JournalRecord } from '../run/journal-record.ts';
import { calibrationCurve } from './calibration.ts';
import { LatencyBins, type LatencyBin } from './latency-bins.ts';
import { rocCurve, thinCurve, type RocPoint } from './roc-curve.ts';

export interface CalibrationPoint {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanScore: number;
  readonly observedRate: number;
}

export interface ArmCurves {
  readonly arm: string;
  /** Answered calls with a score and a 0/1 truth label (the curves' sample). */
  readonly scored: number;
  /** Null without scores of both classes. */
  readonly roc: RocPoint[] | null;
  /** Non-empty bins of the 10 equal-width bins of docs/metrics.md; null without scores. */
  readonly calibration: CalibrationPoint[] | null;
  /** Latency of the answered calls (the report's latency percentiles come from the same calls). */
  readonly latency: LatencyBin[];
}

export interface ScenarioCurves {
  readonly scenario: string;
  readonly arms: ArmCurves[];
}

const NO_LABEL = 255;

class ArmCurveAccumulator {
  private readonly scores: Float64Array;
  private readonly labels: Uint8Array;
  private readonly latency = new LatencyBins();

  constructor(
    readonly arm: string,
    private readonly repeats: number,
    size: number,
  ) {
    this.scores = new Float64Array(size * repeats);
    this.labels = new Uint8Array(size * repeats).fill(NO_LABEL);
  }

  add(record: JournalRecord): void {
    if (record.outcome !== 'ok') return;
    if (record.latencyMs !== null) this.latency.add(record.latencyMs);
    const score = record.output?.score;
    const label = record.truth.label;
    const slot = record.case * this.repeats + record.repeat;
    if (score === undefined || label === undefined || slot >= this.scores.length) return;
    this.scores[slot] = score;
    this.labels[slot] = label;
  }

  curves(): ArmCurves {
    let n = 0;
    for (const l of this.labels) if (l !== NO_LABEL) n++;
    const scores = new Float64Array(n);
    const labels = new Uint8Array(n);
    let i = 0;
    for (let s = 0; s < this.labels.length; s++) {
      if (this.labels[s] === NO_LABEL) continue;
      scores[i] = this.scores[s]!;
      labels[i++] = this.labels[s]!;
    }
    const roc = n === 0 ? null : rocCurve(scores, labels);
    return {
      arm: this.arm,
      scored: n,
      roc: roc && thinCurve(roc),
      calibration: n === 0 ? null : calibrationCurve(scores, labels).filter((b) => b.count > 0),
      latency: this.latency.bins(),
    };
  }
}

/** Streams journal records into per-arm curves, in the scenario and arm order of the manifest. */
export class CurveCollector {
  private readonly scenarios = new Map<string, Map<string, ArmCurveAccumulator>>();

  constructor(manifest: Manifest) {
    for (const s of manifest.scenarios) {
      this.scenarios.set(s.name, new Map(s.arms.map((a) => [a.name, new ArmCurveAccumulator(a.name, s.repeats, s.size)])));
    }
  }

  add(record: JournalRecord): void {
    this.scenarios.get(record.scenario)?.get(record.arm)?.add(record);
  }

  result(): ScenarioCurves[] {
    return [...this.scenarios].map(([scenario, arms]) => ({ scenario, arms: [...arms.values()].map((a) => a.curves()) }));
  }
}
