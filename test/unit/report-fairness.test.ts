/**
 * report.json `fairness` per subgroup attribute, and gates over it: attribute selectors
 * (`fairness.eodds[sex]`) read from the baseline arm, accepted by parseGate and the scenario schema.
 */
import { describe, expect, it } from 'vitest';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { fairness } from '../../simulator/metrics/fairness.ts';
import { evaluateGate, FIGURES, parseGate, type Gate } from '../../simulator/metrics/gates.ts';
import type { AttributeFairness } from '../../simulator/metrics/report-types.ts';
import { Scenario } from '../../simulator/scenario.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { record } from './journal-fixtures.ts';
import { armReport } from './report-fixtures.ts';
import { aggregate, lineage, rng } from './report-run-fixtures.ts';

const N = 140;
const random = rng(3);
const SEX = Array.from({ length: N }, (_, c) => (c % 2 === 0 ? 'female' : 'male'));
// One band of 20 patients: too small to judge (minimum 30).
const AGE = Array.from({ length: N }, (_, c) => (c < 20 ? '18-39' : c < 80 ? '40-64' : '65-79'));
const LABEL = Array.from({ length: N }, () => (random() < 0.35 ? 1 : 0) as 0 | 1);
// The model under-flags women: their scores are pulled down.
const SCORE = LABEL.map((y, c) => Math.round(Math.min(1, Math.max(0, 0.3 + 0.35 * y + 0.4 * (random() - 0.5) - (SEX[c] === 'female' ? 0.12 : 0))) * 100) / 100);

const records: JournalRecord[] = SCORE.map((score, c) =>
  record({
    case: c,
    truth: { label: LABEL[c]!, risk: 0.3 },
    output: { score },
    group: { sex: SEX[c]!, ageBand: AGE[c]!, race: c % 7 === 0 ? 'Asian' : 'White', ethnicity: 'Not Hispanic or Latino' },
  }),
);

describe('fairness in report.json', () => {
  const report = aggregate(records, lineage({ size: N, armNames: ['baseline'] }));
  const f = report.arms[0]!.fairness!;

  it('has every attribute, the minimum group size and what the decision is', () => {
    expect(Object.keys(f.attributes)).toEqual(['sex', 'ageBand', 'race', 'ethnicity']);
    expect(f.minGroupSize).toBe(30);
    expect(f.decision).toBe('selected = score >= 0.5; positive = label 1');
  });

  it('matches fairness.ts per group and in the disparities, with AUROC per group', () => {
    const decisions = SCORE.map((s) => (s >= 0.5 ? 1 : 0));
    const expected = fairness(SEX, LABEL, decisions, {
      metrics: {
        auroc: (idx) => auroc(Float64Array.from(idx, (i) => SCORE[i]!), Uint8Array.from(idx, (i) => LABEL[i]!)),
      },
    });
    const sex = f.attributes.sex;
    expect(sex.groups.map((g) => g.group)).toEqual(['female', 'male']);
    sex.groups.forEach((g, i) => {
      const e = expected.groups[i]!;
      expect(g).toMatchObject({ n: e.n, positives: e.positives, negatives: e.negatives, judged: true });
      expect(g.selectionRate).toBeCloseTo(e.selectionRate, 12);
      expect(g.tpr).toBeCloseTo(e.tpr, 12);
      expect(g.fpr).toBeCloseTo(e.fpr, 12);
      expect(g.auroc).toBeCloseTo(e.metrics.auroc!, 12);
    });
    expect(sex.equalizedOddsDifference).toBeCloseTo(expected.equalizedOddsDifference, 12);
    expect(sex.demographicParityDifference).toBeCloseTo(expected.demographicParity.difference, 12);
    expect(sex.demographicParityRatio).toBeCloseTo(expected.demographicParity.ratio, 12);
    expect(sex.fourFifthsViolated).toBe(expected.fourFifthsViolated);
    expect(sex.aurocDifference).toBeCloseTo(expected.metrics.auroc!.difference, 12);
    // The model under-flags women: a real selection gap.
    expect(sex.groups[0]!.selectionRate!).toBeLessThan(sex.groups[1]!.selectionRate!);
  });

  it('marks a group too small to judge and leaves it out of the disparities', () => {
    const age = f.attributes.ageBand;
    expect(age.groups.map((g) => [g.group, g.n, g.judged])).toEqual([
      ['18-39', 20, false],
      ['40-64', 60, true],
      ['65-79', 60, true],
    ]);
    const judged = age.groups.filter((g) => g.judged).map((g) => g.selectionRate!);
    expect(age.demographicParityDifference).toBeCloseTo(Math.max(...judged) - Math.min(...judged), 12);
    // One group only: no disparity at all, and no four-fifths verdict.
    expect(f.attributes.ethnicity.demographicParityDifference).toBeNull();
    expect(f.attributes.ethnicity.fourFifthsViolated).toBeNull();
  });

  it('is null when no answered call has a truth (imported data)', () => {
    const noTruth = aggregate(records.map((r) => ({ ...r, truth: {} })), lineage({ size: N, armNames: ['baseline'] }));
    expect(noTruth.arms[0]!.fairness).toBeNull();
  });

  it('uses "answered emergent" as the selection for note-triage, without AUROC', () => {
    const triage = aggregate(
      Array.from({ length: 40 }, (_, c) =>
        record({
          case: c,
          truth: { class: c % 4 === 0 ? 'emergent' : 'urgent', label: c % 4 === 0 ? 1 : 0 },
          output: { label: c % 8 === 0 ? 'emergent' : 'urgent' },
        }),
      ),
      lineage({ task: 'note-triage', size: 40, armNames: ['baseline'] }),
    );
    const sex = triage.arms[0]!.fairness!.attributes.sex;
    expect(sex.groups[0]).toMatchObject({ n: 40, positives: 10, negatives: 30, selectionRate: 5 / 40, tpr: 0.5, fpr: 0, auroc: null });
    expect(sex.aurocDifference).toBeNull();
  });
});

const fairnessOf = (overrides: Partial<AttributeFairness>): AttributeFairness => ({
  groups: [],
  demographicParityDifference: null,
  demographicParityRatio: null,
  equalizedOddsDifference: null,
  equalizedOddsRatio: null,
  equalOpportunityDifference: null,
  aurocDifference: null,
  fourFifthsViolated: null,
  ...overrides,
});

function gate(key: string, expression: string): Gate {
  const parsed = parseGate(key, expression, []);
  if (!parsed.gate) throw new Error(parsed.error);
  return parsed.gate;
}

describe('fairness gates', () => {
  const attributes = {
    sex: fairnessOf({ equalizedOddsDifference: 0.12, demographicParityDifference: 0.05, demographicParityRatio: 0.9, fourFifthsViolated: false }),
    ageBand: fairnessOf({ equalizedOddsDifference: 0.03, demographicParityRatio: 0.7, fourFifthsViolated: true }),
    race: fairnessOf({}),
    ethnicity: fairnessOf({ equalizedOddsDifference: 0 }),
  };
  const baseline = armReport('baseline', { fairness: { minGroupSize: 30, decision: 'x', attributes } });
  const other = armReport('older', { fairness: { minGroupSize: 30, decision: 'x', attributes: { ...attributes, sex: fairnessOf({ equalizedOddsDifference: 0.5 }) } } });

  it('parses attribute selectors and rejects arm names or unknown attributes', () => {
    expect(gate('fairness.eodds[sex]', '<= 0.1')).toMatchObject({ figure: 'fairness.eodds', selector: 'sex' });
    expect(gate('fairness.dpr', '>= 0.8')).toMatchObject({ figure: 'fairness.dpr', selector: '*' });
    expect(parseGate('fairness.eodds[baseline]', '<= 0.1').error).toBe(
      'gate "fairness.eodds[baseline]": fairness.eodds is read per subgroup attribute; use one of sex, ageBand, race, ethnicity (or *), not "baseline"',
    );
    expect(parseGate('fairness.parity[sex]', '<= 0.1').error).toMatch(/^unknown metric "fairness.parity"/);
    expect(parseGate('fairness.parity[sex]', '<= 0.1').error).toContain('fairness.eodds, fairness.dpd, fairness.dpr, fairness.fourFifths');
  });

  it('reads the baseline arm, one result per attribute', () => {
    expect(evaluateGate(gate('fairness.eodds[sex]', '<= 0.1'), [other, baseline], [])).toEqual([
      { name: 'fairness.eodds[sex]', expression: '<= 0.1', actual: 0.12, pass: false },
    ]);
    expect(evaluateGate(gate('fairness.eodds', '<= 0.1'), [baseline, other], []).map((r) => [r.name, r.actual, r.pass])).toEqual([
      ['fairness.eodds[sex]', 0.12, false],
      ['fairness.eodds[ageBand]', 0.03, true],
      ['fairness.eodds[race]', null, false],
      ['fairness.eodds[ethnicity]', 0, true],
    ]);
    expect(evaluateGate(gate('fairness.dpd[sex]', '<= 0.1'), [baseline], [])[0]!.actual).toBe(0.05);
    expect(evaluateGate(gate('fairness.dpr[ageBand]', '>= 0.8'), [baseline], [])[0]).toMatchObject({ actual: 0.7, pass: false });
  });

  it('reads the four-fifths flag as 1 when violated, 0 when not, and fails it when unknown', () => {
    const results = evaluateGate(gate('fairness.fourFifths', '== 0'), [baseline], []);
    expect(results.map((r) => [r.name, r.actual, r.pass])).toEqual([
      ['fairness.fourFifths[sex]', 0, true],
      ['fairness.fourFifths[ageBand]', 1, false],
      ['fairness.fourFifths[race]', null, false],
      ['fairness.fourFifths[ethnicity]', null, false],
    ]);
  });

  it('reads the first arm when the scenario has no baseline arm, and fails without fairness', () => {
    expect(evaluateGate(gate('fairness.eodds[sex]', '<= 1'), [other], [])[0]!.actual).toBe(0.5);
    expect(evaluateGate(gate('fairness.eodds[sex]', '<= 1'), [armReport('baseline')], [])[0]).toMatchObject({ actual: null, pass: false });
  });

  it('is accepted by the scenario schema with an attribute, rejected with an arm or a bad figure', () => {
    const scenario = (gates: Record<string, string>) => ({
      name: 'fair',
      task: 'sepsis',
      cohort: { size: 10, seed: 1 },
      arms: { baseline: [] },
      gates,
    });
    expect(Scenario.safeParse(scenario({ 'fairness.eodds[sex]': '<= 0.1', 'fairness.fourFifths[race]': '== 0', 'fairness.dpr': '>= 0.8' })).success).toBe(true);
    const bads: Record<string, string>[] = [
      { 'fairness.eodds[baseline]': '<= 0.1' },
      { 'fairness.eodds[height]': '<= 0.1' },
      { 'fairness.nope[sex]': '<= 0.1' },
      { 'fairness.dpd[sex]': '=< 0.1' },
    ];
    for (const bad of bads) {
      expect(Scenario.safeParse(scenario(bad)).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('per-arm figures for gates', () => {
  it('names every new figure, with .delta and .drop where the arm has a paired change', () => {
    for (const m of ['auprc', 'ece', 'calibrationSlope', 'calibrationIntercept', 'ppv', 'npv', 'netBenefit', 'macroF1', 'accuracy', 'underTriage', 'alertSensitivity', 'falseAlertRate']) {
      for (const suffix of ['', '.delta', '.drop']) expect(FIGURES, `${m}${suffix}`).toHaveProperty([`${m}${suffix}`]);
    }
    expect(FIGURES).toHaveProperty(['driftShare']);
    expect(FIGURES).toHaveProperty(['stochasticity']);
  });

  it('reads class, alert, drift and stochasticity figures, null (failing) where they do not apply', () => {
    const est = (value: number) => ({ value, ci: null });
    const triage = armReport('neg', {
      classes: {
        classes: ['emergent', 'urgent', 'non-urgent'],
        n: 10,
        confusion: [],
        perClass: [],
        macroF1: est(0.8),
        accuracy: est(0.85),
        underTriage: est(0.1),
        overTriage: 0.05,
        underTriageByClass: {},
        delta: { macroF1: est(-0.05), accuracy: est(-0.02), underTriage: est(0.04) },
      },
      stochasticity: 0.2,
      drift: { reference: 'baseline', features: [], driftShare: 0.25, drifted: 1, decided: 4, notAvailable: 0, datasetDrift: false },
    });
    const read = (key: string) => evaluateGate(gate(key, '>= 0'), [triage], [])[0]!.actual;
    expect(read('macroF1')).toBe(0.8);
    expect(read('accuracy')).toBe(0.85);
    expect(read('underTriage')).toBe(0.1);
    expect(read('macroF1.drop')).toBe(0.05);
    expect(read('underTriage.delta')).toBe(0.04);
    expect(read('stochasticity')).toBe(0.2);
    expect(read('driftShare')).toBe(0.25);
    expect(read('alertSensitivity')).toBeNull();
    expect(read('falseAlertRate.delta')).toBeNull();
  });

  it('skips the baseline arm for driftShare under [*], as for other figures relative to it', () => {
    const results = evaluateGate(gate('driftShare', '<= 0.5'), [armReport('baseline'), armReport('older')], []);
    expect(results.map((r) => r.name)).toEqual(['driftShare[older]']);
  });
});
