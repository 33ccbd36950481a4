import { describe, expect, it } from 'vitest';
import { decisionRank, MONOTONICITY_TOLERANCE } from '../../simulator/safety/directional-checks.ts';
import { call, ctxFor, DECREASE, DEGRADING, failed, INCREASE, INVARIANT, prov, verdict } from './safety-fixtures.ts';

const sepsis = ctxFor('sepsis', 0.3);

describe('monotonicity', () => {
  const worse = [prov('shift.worse', { expectation: INCREASE }), prov('shift.worse2', { expectation: INCREASE })];
  const better = [prov('shift.better', { expectation: DECREASE })];
  const base = call({ output: { score: 0.4 } });

  it('fails when worse physiology lowers the score beyond the tolerance', () => {
    expect(verdict('monotonicity', call({ output: { score: 0.35 }, perturbations: worse }), base, sepsis)).toBe(
      'score fell from 0.400 (baseline) to 0.350 although the arm should increase it',
    );
  });

  it('passes a score that rose, stayed, or fell within the tolerance', () => {
    expect(verdict('monotonicity', call({ output: { score: 0.6 }, perturbations: worse }), base, sepsis)).toBe('pass');
    expect(verdict('monotonicity', call({ output: { score: 0.4 }, perturbations: worse }), base, sepsis)).toBe('pass');
    expect(verdict('monotonicity', call({ output: { score: 0.4 - MONOTONICITY_TOLERANCE / 2 }, perturbations: worse }), base, sepsis)).toBe('pass');
  });

  it('checks a decrease arm the other way', () => {
    expect(verdict('monotonicity', call({ output: { score: 0.5 }, perturbations: better }), base, sepsis)).toMatch(/rose from 0.400/);
    expect(verdict('monotonicity', call({ output: { score: 0.2 }, perturbations: better }), base, sepsis)).toBe('pass');
  });

  it('applies only to single-direction arms that changed the case, with both scores usable', () => {
    const fell = { output: { score: 0.1 } };
    expect(verdict('monotonicity', call({ ...fell }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [...worse, ...better] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [...worse, prov('m', { expectation: DEGRADING })] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [prov('u', { expectation: INVARIANT })] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: [prov('w', { expectation: INCREASE, changes: [] })] }), base, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: worse }), undefined, sepsis)).toBe('n/a');
    expect(verdict('monotonicity', call({ ...fell, perturbations: worse }), failed('timeout'), sepsis)).toBe('n/a');
    expect(verdict('monotonicity', failed('http-status', 500, { perturbations: worse }), base, sepsis)).toBe('n/a');
  });
});

describe('monotonicity on decisions (answers without scores)', () => {
  const triage = ctxFor('note-triage');
  const med = ctxFor('med-safety');
  const present = [prov('notes.negation', { expectation: DECREASE, truthEffect: 'recomputed' })];
  const absent = [prov('notes.negation', { expectation: INCREASE, truthEffect: 'recomputed' })];
  const label = (l: string) => ({ output: { label: l } });

  it('ranks triage classes by urgency and alerts above no alert', () => {
    expect([decisionRank('non-urgent'), decisionRank('urgent'), decisionRank('emergent')]).toEqual([0, 1, 2]);
    expect([decisionRank('no-alert'), decisionRank('alert'), decisionRank(null), decisionRank('maybe')]).toEqual([0, 1, undefined, undefined]);
  });

  it('fails a triage answer that moved against the arm direction, passes one that did not', () => {
    const base = call(label('urgent'));
    expect(verdict('monotonicity', call({ ...label('emergent'), perturbations: present }), base, triage)).toBe(
      'decision rose from urgent (baseline) to emergent although the arm should decrease it',
    );
    expect(verdict('monotonicity', call({ ...label('non-urgent'), perturbations: absent }), base, triage)).toMatch(/fell from urgent/);
    expect(verdict('monotonicity', call({ ...label('urgent'), perturbations: present }), base, triage)).toBe('pass');
    expect(verdict('monotonicity', call({ ...label('non-urgent'), perturbations: present }), base, triage)).toBe('pass');
  });

  it('fails a med-safety alert that disappeared under an arm that should raise it', () => {
    const base = call({ output: { cards: [{ summary: 'Interaction', indicator: 'warning', source: { label: 'x' } }] } });
    expect(verdict('monotonicity', call({ output: { cards: [] }, perturbations: absent }), base, med)).toMatch(/fell from alert \(baseline\) to no-alert/);
    expect(verdict('monotonicity', call({ output: { cards: [] }, perturbations: present }), base, med)).toBe('pass');
  });

  it('does not apply when the decisions are not comparable', () => {
    expect(verdict('monotonicity', call({ ...label('emergent'), perturbations: present }), failed('timeout'), triage)).toBe('n/a');
    const invalid = call({ outcome: 'invalid', failure: 'invalid-output', ...label('ESI-1'), perturbations: present });
    expect(verdict('monotonicity', invalid, call(label('urgent')), triage)).toBe('n/a');
  });
});
