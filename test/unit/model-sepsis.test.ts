import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Observation } from 'fhir/r4.js';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { createSepsisModel, loadCoefficients, type SepsisModel } from '../../models/sepsis/model.ts';
import { FIT_SEED, HOLDOUT_SEED } from '../../models/sepsis/fit.ts';

/**
 * The reference model's quality and its documented flaws (models/README.md), on a cohort the model
 * was not fitted on. Bundle edits are done locally so these tests depend on the model alone. The
 * cohort has its baseline missingness (about 63% of bundles have no lactate); the flaws that are
 * about how a lactate is read (b, c) are measured on the bundles that have one.
 */

const SEED = 31_337;
const N = 3000;

function isLactate(entry: BundleEntry): entry is BundleEntry & { resource: Observation } {
  const r = entry.resource;
  return r?.resourceType === 'Observation' && (r.code.coding ?? []).some((c) => c.code === '2524-7');
}

function editLactate(bundle: Bundle, edit: (obs: Observation) => Observation | null): Bundle {
  const entry: BundleEntry[] = [];
  for (const e of bundle.entry ?? []) {
    if (!isLactate(e)) entry.push(e);
    else {
      const next = edit(e.resource);
      if (next) entry.push({ ...e, resource: next });
    }
  }
  return { ...bundle, entry };
}

/** Lactate in mg/dL (1 mmol/L = 9.008 mg/dL), rounded to whole mg/dL as labs report it. */
const lactateInMgDl = (b: Bundle): Bundle =>
  editLactate(b, (o) => ({
    ...o,
    valueQuantity: { value: Math.round((o.valueQuantity?.value ?? 0) * 9.008), unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
  }));
const withoutLactate = (b: Bundle): Bundle => editLactate(b, () => null);
/** Whole-blood lactate code 32693-4 instead of serum/plasma 2524-7. */
const lactateAsWholeBlood = (b: Bundle): Bundle =>
  editLactate(b, (o) => ({ ...o, code: { coding: [{ system: 'http://loinc.org', code: '32693-4' }] } }));

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
function falsePositiveRate(scores: readonly number[], labels: readonly number[], threshold: number): number {
  let fp = 0;
  let negatives = 0;
  scores.forEach((s, i) => {
    if (labels[i] === 0) {
      negatives++;
      if (s >= threshold) fp++;
    }
  });
  return fp / negatives;
}

let all: { bundles: Bundle[]; labels: number[] };
let withLactate: { bundles: Bundle[]; labels: number[] };
let bundles: Bundle[];
let labels: number[];
let flawed: SepsisModel;
let flawFree: SepsisModel;
const scores = (model: SepsisModel, edit: (b: Bundle) => Bundle = (b) => b) => bundles.map((b) => model.predict(edit(b)).score);
const positives = (s: readonly number[]) => s.filter((_, i) => labels[i] === 1);
/** Runs `body` on the bundles that have a lactate (the default is every bundle). */
function onLactated(body: () => void): void {
  ({ bundles, labels } = withLactate);
  try {
    body();
  } finally {
    ({ bundles, labels } = all);
  }
}

beforeAll(() => {
  expect(SEED).not.toBe(FIT_SEED);
  expect(SEED).not.toBe(HOLDOUT_SEED);
  const cases = Array.from({ length: N }, (_, i) => tasks.sepsis.generate({ seed: SEED }, i));
  all = { bundles: cases.map((c) => c.bundle), labels: cases.map((c) => c.truth.label ?? -1) };
  const lactated = cases.filter((c) => (c.bundle.entry ?? []).some(isLactate));
  withLactate = { bundles: lactated.map((c) => c.bundle), labels: lactated.map((c) => c.truth.label ?? -1) };
  ({ bundles, labels } = all);
  flawed = createSepsisModel();
  flawFree = createSepsisModel({ flawFree: true });
});

describe('reference sepsis model: baseline', () => {
  it('discriminates well on 3,000 unseen patients (AUROC ≥ 0.8); the flaw-free variant is calibrated in the large', () => {
    expect(withLactate.bundles.length).toBeGreaterThan(0.25 * N);
    expect(withLactate.bundles.length).toBeLessThan(0.5 * N);
    const s = scores(flawed);
    expect(auroc(s, labels)).toBeGreaterThanOrEqual(0.8);
    expect(auroc(scores(flawFree), labels)).toBeGreaterThanOrEqual(0.8);
    const prevalence = mean(labels);
    expect(Math.abs(mean(scores(flawFree)) - prevalence)).toBeLessThan(0.015);
    // Flaw (a) already shows at baseline: bundles without a lactate (not ordered) are read as normal.
    expect(mean(s)).toBeLessThan(mean(scores(flawFree)) - 0.008);
  });

  it('both variants agree on bundles with a canonical lactate', () =>
    onLactated(() => {
      const a = scores(flawed);
      const b = scores(flawFree);
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(1e-12);
    }));

  it('labels at the task threshold and reports a version', () => {
    const p = flawed.predict(bundles[0]!);
    expect(p.label).toBe(p.score >= tasks.sepsis.defaultThreshold ? 1 : 0);
    expect(flawed.threshold).toBe(tasks.sepsis.defaultThreshold);
    expect(flawed.version).toBe(loadCoefficients().version);
    expect(flawed.variant).toBe('flawed');
    expect(flawFree.variant).toBe('flaw-free');
  });
});

describe('flaw (b): lactate read as mmol/L whatever the unit', () => {
  it('raises the flawed model’s mean score and false-positive rate markedly', () =>
    onLactated(() => {
      const t = flawed.threshold;
      const base = scores(flawed);
      const mgdl = scores(flawed, lactateInMgDl);
      expect(mean(mgdl) - mean(base)).toBeGreaterThan(0.3);
      expect(falsePositiveRate(base, labels, t)).toBeLessThan(0.3);
      expect(falsePositiveRate(mgdl, labels, t)).toBeGreaterThan(0.5);
    }));

  it('leaves the flaw-free model unchanged up to rounding of the converted value', () =>
    onLactated(() => {
      const t = flawFree.threshold;
      const base = scores(flawFree);
      const mgdl = scores(flawFree, lactateInMgDl);
      expect(Math.abs(mean(mgdl) - mean(base))).toBeLessThan(0.005);
      expect(Math.abs(falsePositiveRate(mgdl, labels, t) - falsePositiveRate(base, labels, t))).toBeLessThan(0.01);
    }));
});

describe('flaw (a): missing lactate imputed as normal', () => {
  it('lowers the flawed model’s scores of true positives and under-predicts overall', () => {
    const base = scores(flawed);
    const missing = scores(flawed, withoutLactate);
    expect(mean(positives(missing))).toBeLessThan(0.75 * mean(positives(base)));
    expect(mean(missing)).toBeLessThan(0.6 * mean(labels));
    onLactated(() => {
      // Where a lactate was measured, removing it costs the septic patients most of their score.
      expect(mean(positives(scores(flawed, withoutLactate)))).toBeLessThan(0.6 * mean(positives(scores(flawed))));
    });
  });

  it('the flaw-free model falls back to its no-lactate fit, stays calibrated and flags it', () => {
    const base = scores(flawFree);
    const missing = scores(flawFree, withoutLactate);
    expect(Math.abs(mean(missing) - mean(labels))).toBeLessThan(0.015);
    expect(mean(positives(missing))).toBeGreaterThan(0.7 * mean(positives(base)));
    expect(mean(positives(missing))).toBeGreaterThan(mean(positives(scores(flawed, withoutLactate))) + 0.05);
    expect(auroc(missing, labels)).toBeGreaterThan(0.75);
    expect(flawFree.predict(withoutLactate(bundles[0]!)).flags).toEqual(['lactate-missing']);
    expect(flawed.predict(withoutLactate(bundles[0]!)).flags).toEqual([]);
  });
});

describe('flaw (c): lactate recognised only as LOINC 2524-7', () => {
  it('whole-blood lactate (32693-4) is missing to the flawed model but read by the flaw-free one', () =>
    onLactated(() => {
      const flawedBase = scores(flawed);
      const flawedRecoded = scores(flawed, lactateAsWholeBlood);
      expect(mean(positives(flawedRecoded))).toBeLessThan(0.6 * mean(positives(flawedBase)));
      expect(auroc(flawedBase, labels) - auroc(flawedRecoded, labels)).toBeGreaterThan(0.04);
      const freeBase = scores(flawFree);
      const freeRecoded = scores(flawFree, lactateAsWholeBlood);
      expect(freeRecoded).toEqual(freeBase);
    }));
});
