/**
 * report.json `classes` (note-triage) and `alerts` (med-safety): figures read off each answer's
 * decision (OUTPUT_CONTRACT), equal to the statistics library's, with case-bootstrap intervals and
 * paired deltas; null for the tasks they do not apply to.
 */
import { describe, expect, it } from 'vitest';
import { alertMetrics } from '../../simulator/metrics/alerts.ts';
import { classMetrics, triageErrors } from '../../simulator/metrics/classes.ts';
import { ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { record } from './journal-fixtures.ts';
import { aggregate, lineage, rng } from './report-run-fixtures.ts';

const CLASSES = ['emergent', 'urgent', 'non-urgent'] as const;
type Cls = (typeof CLASSES)[number];

describe('classes (note-triage)', () => {
  const N = 150;
  const random = rng(7);
  const truth = Array.from({ length: N }, () => CLASSES[random() < 0.25 ? 0 : random() < 0.6 ? 1 : 2]!);
  // The model is right 80% of the time, otherwise one level off.
  const base = truth.map((t) => {
    const k = CLASSES.indexOf(t);
    const r = random();
    return r < 0.8 ? t : CLASSES[Math.min(2, Math.max(0, k + (r < 0.9 ? 1 : -1)))]!;
  });
  // The perturbed arm downgrades every second emergent note to urgent.
  const downgraded = base.map((p, c) => (p === 'emergent' && c % 2 === 0 ? 'urgent' : p));
  const records = (arm: string, predicted: readonly Cls[]): JournalRecord[] =>
    predicted.map((label, c) =>
      record({
        arm,
        case: c,
        truth: { class: truth[c]!, label: truth[c] === 'emergent' ? 1 : 0 },
        output: c === 3 && arm === 'baseline' ? { label: 'bogus' } : { label },
        outcome: c === 3 && arm === 'baseline' ? 'invalid' : 'ok',
      }),
    );
  const report = aggregate([...records('baseline', base), ...records('downgraded', downgraded)], lineage({ task: 'note-triage', size: N, armNames: ['baseline', 'downgraded'] }));
  const [baseline, shifted] = report.arms as [ScenarioReport['arms'][number], ScenarioReport['arms'][number]];
  const answeredBase = [...Array(N).keys()].filter((c) => c !== 3);

  it('is a valid report with classes and no alerts', () => {
    expect(ScenarioReport.safeParse(report).success).toBe(true);
    expect(baseline.alerts).toBeNull();
    expect(baseline.classes).not.toBeNull();
  });

  it('computes the confusion matrix, per-class figures, macro-F1 and accuracy as scikit-learn does', () => {
    const expected = classMetrics(answeredBase.map((c) => truth[c]!), answeredBase.map((c) => base[c]!), CLASSES);
    const classes = baseline.classes!;
    expect(classes.classes).toEqual([...CLASSES]);
    expect(classes.n).toBe(N - 1);
    expect(classes.confusion).toEqual(expected.confusion);
    classes.perClass.forEach((c, i) => {
      expect(c.class).toBe(CLASSES[i]);
      expect(c.support).toBe(expected.perClass[i]!.support);
      expect(c.recall).toBeCloseTo(expected.perClass[i]!.recall, 12);
      expect(c.precision).toBeCloseTo(expected.perClass[i]!.precision, 12);
      expect(c.f1).toBeCloseTo(expected.perClass[i]!.f1, 12);
    });
    expect(classes.macroF1.value).toBeCloseTo(expected.macroF1, 12);
    expect(classes.accuracy.value).toBeCloseTo(expected.accuracy, 12);
    for (const e of [classes.macroF1, classes.accuracy, classes.underTriage]) {
      expect(e.ci).not.toBeNull();
      expect(e.ci![0]).toBeLessThanOrEqual(e.ci![1]);
    }
  });

  it('computes under- and over-triage in urgency order', () => {
    const expected = triageErrors(answeredBase.map((c) => truth[c]!), answeredBase.map((c) => base[c]!), CLASSES);
    const classes = baseline.classes!;
    expect(classes.underTriage.value).toBeCloseTo(expected.underTriage, 12);
    expect(classes.overTriage).toBeCloseTo(expected.overTriage, 12);
    expect(classes.underTriageByClass.emergent).toBeCloseTo(expected.underTriageByClass.emergent!, 12);
    expect(Object.keys(classes.underTriageByClass)).toEqual(['emergent', 'urgent']);
  });

  it('gives the perturbed arm paired deltas: downgrading emergent notes raises under-triage', () => {
    const mine = triageErrors(answeredBase.map((c) => truth[c]!), answeredBase.map((c) => downgraded[c]!), CLASSES);
    const theirs = triageErrors(answeredBase.map((c) => truth[c]!), answeredBase.map((c) => base[c]!), CLASSES);
    const delta = shifted.classes!.delta!;
    expect(delta.underTriage.value).toBeCloseTo(mine.underTriage - theirs.underTriage, 12);
    expect(delta.underTriage.value).toBeGreaterThan(0);
    expect(delta.underTriage.ci![0]).toBeGreaterThan(0);
    expect(baseline.classes!.delta).toBeNull();
  });

  it('flips on classes: the share of slots whose class changed', () => {
    let flips = 0;
    for (const c of answeredBase) if (base[c] !== downgraded[c]) flips++;
    expect(shifted.flipRate).toBe(flips / answeredBase.length);
  });

  it('has no score figures and reads realized prevalence as the emergent share', () => {
    expect(baseline.metrics.auroc.value).toBeNull();
    expect(baseline.prevalence).toBe(answeredBase.filter((c) => truth[c] === 'emergent').length / answeredBase.length);
  });
});

describe('alerts (med-safety)', () => {
  const N = 100;
  const random = rng(11);
  const conflict = Array.from({ length: N }, () => (random() < 0.3 ? 1 : 0) as 0 | 1);
  const card = (indicator: 'info' | 'warning' | 'critical') => ({ summary: 'check', indicator, source: { label: 'test' } });
  // Cards: a conflict is usually caught with a warning or critical card; a safe order sometimes gets
  // a warning (false alert) and sometimes an info card (not an alert). Every tenth answer is a label.
  const answers = conflict.map((y, c) => {
    const r = random();
    if (c % 10 === 0) return { label: y === 1 && r < 0.9 ? 1 : 0 };
    if (y === 1) return { cards: r < 0.85 ? [card(r < 0.4 ? 'critical' : 'warning')] : [card('info')] };
    return { cards: r < 0.1 ? [card('warning')] : r < 0.5 ? [card('info')] : [] };
  });
  const alerted = answers.map((a) => ('label' in a ? a.label === 1 : a.cards.some((x) => x.indicator !== 'info')));
  const silenced = answers.map((a, c) => (conflict[c] === 1 && c % 3 === 0 ? { cards: [] } : a));
  const records = (arm: string, outputs: readonly object[]): JournalRecord[] =>
    outputs.map((output, c) => record({ arm, case: c, truth: { label: conflict[c]!, conflicts: [] }, output }));
  const report = aggregate([...records('baseline', answers), ...records('silenced', silenced)], lineage({ task: 'med-safety', size: N, armNames: ['baseline', 'silenced'] }));
  const [baseline, shifted] = report.arms as [ScenarioReport['arms'][number], ScenarioReport['arms'][number]];

  it('reads an alert as a warning or critical card, or label 1, and computes the alert figures', () => {
    expect(ScenarioReport.safeParse(report).success).toBe(true);
    const expected = alertMetrics(alerted, conflict);
    const alerts = baseline.alerts!;
    expect(alerts).toMatchObject({
      n: N,
      conflicts: expected.conflicts,
      alerts: expected.alerts,
      truePositives: expected.truePositives,
      falsePositives: expected.falsePositives,
    });
    expect(alerts.sensitivity.value).toBeCloseTo(expected.sensitivity, 12);
    expect(alerts.falseAlertRate.value).toBeCloseTo(expected.falseAlertRate, 12);
    expect(alerts.falseAlertShare).toBeCloseTo(expected.falseAlertShare, 12);
    expect(alerts.alertRate).toBeCloseTo(expected.alertRate, 12);
    expect(alerts.sensitivity.ci![0]).toBeLessThanOrEqual(alerts.sensitivity.ci![1]);
    expect(baseline.classes).toBeNull();
    expect(baseline.metrics.auroc.value).toBeNull();
  });

  it('gives the perturbed arm a paired delta of alert sensitivity and flips on the alert decision', () => {
    const silencedAlerted = silenced.map((a) => ('label' in a ? a.label === 1 : a.cards.some((x) => x.indicator !== 'info')));
    const mine = alertMetrics(silencedAlerted, conflict);
    const theirs = alertMetrics(alerted, conflict);
    expect(shifted.alerts!.delta!.sensitivity.value).toBeCloseTo(mine.sensitivity - theirs.sensitivity, 12);
    expect(shifted.alerts!.delta!.falseAlertRate).toEqual({ value: 0, ci: [0, 0] });
    let flips = 0;
    for (let c = 0; c < N; c++) if (alerted[c] !== silencedAlerted[c]) flips++;
    expect(shifted.flipRate).toBe(flips / N);
  });
});
