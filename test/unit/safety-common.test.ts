import { describe, expect, it } from 'vitest';
import { classifyArm } from '../../simulator/safety/call-facts.ts';
import { call, ctxFor, DECREASE, DEGRADING, failed, INCREASE, INVARIANT, prov, verdict } from './safety-fixtures.ts';

const sepsis = ctxFor('sepsis', 0.5);
const units = prov('shift.units', { expectation: INVARIANT });

describe('invariance', () => {
  const base = call({ output: { score: 0.7 } });

  it('fails when an invariant arm changes the decision, passes when it does not', () => {
    expect(verdict('invariance', call({ output: { score: 0.3 }, perturbations: [units] }), base, sepsis)).toBe(
      'decision changed from alert (baseline) to no-alert',
    );
    expect(verdict('invariance', call({ output: { score: 0.55 }, perturbations: [units] }), base, sepsis)).toBe('pass');
  });

  it('applies only to invariant, truth-preserving arms that changed the case, with both decisions known', () => {
    const flipped = { output: { score: 0.3 } };
    expect(verdict('invariance', call({ ...flipped }), base, sepsis)).toBe('n/a'); // baseline arm itself
    expect(verdict('invariance', call({ ...flipped, perturbations: [units] }), undefined, sepsis)).toBe('n/a');
    expect(verdict('invariance', call({ ...flipped, perturbations: [units, prov('missing.mcar', { expectation: DEGRADING })] }), base, sepsis)).toBe('n/a');
    expect(verdict('invariance', call({ ...flipped, perturbations: [prov('x.recompute', { truthEffect: 'recomputed' })] }), base, sepsis)).toBe('n/a');
    expect(verdict('invariance', call({ ...flipped, perturbations: [prov('shift.units', { changes: [] })] }), base, sepsis)).toBe('n/a');
    expect(verdict('invariance', failed('timeout', null, { perturbations: [units] }), base, sepsis)).toBe('n/a');
    expect(verdict('invariance', call({ ...flipped, perturbations: [units] }), failed('transport'), sepsis)).toBe('n/a');
  });
});

describe('invalid-output', () => {
  it('fails on an answer the task cannot use', () => {
    const noScore = call({ outcome: 'invalid', failure: 'invalid-output', output: { label: 1 } });
    expect(verdict('invalid-output', noScore, undefined, sepsis)).toMatch(/output contract/);
    const triage = call({ outcome: 'invalid', failure: 'invalid-output', output: { label: 'very urgent' } });
    expect(verdict('invalid-output', triage, undefined, ctxFor('note-triage'))).toMatch(/output contract/);
  });

  it('fails on a score outside [0, 1] or NaN that slipped through', () => {
    expect(verdict('invalid-output', call({ output: { score: 1.5 } }), undefined, sepsis)).toBe('score 1.5 is not a probability in [0, 1]');
    expect(verdict('invalid-output', call({ output: { score: Number.NaN } }), undefined, sepsis)).toMatch(/NaN/);
    expect(verdict('invalid-output', call({ output: { score: -0.1 } }), undefined, sepsis)).toMatch(/-0.1/);
  });

  it('passes a usable answer and does not apply to replies that did not parse', () => {
    expect(verdict('invalid-output', call({ output: { score: 0 } }), undefined, sepsis)).toBe('pass');
    expect(verdict('invalid-output', call({ output: { score: 1 } }), undefined, sepsis)).toBe('pass');
    expect(verdict('invalid-output', failed('invalid-response', 200), undefined, sepsis)).toBe('n/a');
    expect(verdict('invalid-output', failed('transport'), undefined, sepsis)).toBe('n/a');
    expect(verdict('invalid-output', failed('http-status', 500), undefined, sepsis)).toBe('n/a');
  });
});

describe('schema', () => {
  it('fails a reply that does not parse, passes one that does (usable or not)', () => {
    expect(verdict('schema', failed('invalid-response', 200), undefined, sepsis)).toBe('the reply does not parse as a prediction');
    expect(verdict('schema', call(), undefined, sepsis)).toBe('pass');
    expect(verdict('schema', call({ outcome: 'invalid', failure: 'invalid-output', output: {} }), undefined, sepsis)).toBe('pass');
  });

  it('does not apply when there was no reply to parse', () => {
    expect(verdict('schema', failed('http-status', 503), undefined, sepsis)).toBe('n/a');
    expect(verdict('schema', failed('transport'), undefined, sepsis)).toBe('n/a');
    expect(verdict('schema', failed('timeout'), undefined, sepsis)).toBe('n/a');
  });
});

describe('crash', () => {
  const fuzz = [prov('fuzz.wrongTypes', { expectation: DEGRADING })];

  it('fails a 5xx or a transport failure on malformed input', () => {
    expect(verdict('crash', failed('http-status', 500, { perturbations: fuzz }), undefined, sepsis)).toBe('HTTP 500 on malformed input (expected a 4xx)');
    expect(verdict('crash', failed('http-status', 502, { perturbations: fuzz }), undefined, sepsis)).toMatch(/502/);
    expect(verdict('crash', failed('transport', null, { perturbations: fuzz }), undefined, sepsis)).toMatch(/transport failure/);
  });

  it('passes an overloaded or unreachable service (503, 504: retried already, not caused by the input)', () => {
    expect(verdict('crash', failed('http-status', 503, { perturbations: fuzz }), undefined, sepsis)).toBe('pass');
    expect(verdict('crash', failed('http-status', 504, { perturbations: fuzz }), undefined, sepsis)).toBe('pass');
  });

  it('passes a clean 4xx, an answer, an unparseable reply or a timeout', () => {
    expect(verdict('crash', failed('http-status', 400, { perturbations: fuzz }), undefined, sepsis)).toBe('pass');
    expect(verdict('crash', failed('http-status', 422, { perturbations: fuzz }), undefined, sepsis)).toBe('pass');
    expect(verdict('crash', call({ perturbations: fuzz }), undefined, sepsis)).toBe('pass');
    expect(verdict('crash', failed('invalid-response', 200, { perturbations: fuzz }), undefined, sepsis)).toBe('pass');
    expect(verdict('crash', failed('timeout', null, { perturbations: fuzz }), undefined, sepsis)).toBe('pass');
  });

  it('applies only to arms with a fuzz perturbation that changed the case', () => {
    expect(verdict('crash', failed('http-status', 500), undefined, sepsis)).toBe('n/a');
    expect(verdict('crash', failed('http-status', 500, { perturbations: [units] }), undefined, sepsis)).toBe('n/a');
    expect(verdict('crash', failed('http-status', 500, { perturbations: [prov('fuzz.empty', { changes: [] })] }), undefined, sepsis)).toBe('n/a');
    expect(verdict('crash', failed('http-status', 500, { perturbations: [units, ...fuzz] }), undefined, sepsis)).toMatch(/HTTP 500/);
  });
});

describe('classifyArm', () => {
  it('classifies an arm by its perturbations as a whole', () => {
    expect(classifyArm([])).toEqual({ kind: 'baseline' });
    expect(classifyArm([{ expectation: INVARIANT }, { expectation: INVARIANT, truthEffect: 'preserved' }])).toEqual({ kind: 'invariant' });
    expect(classifyArm([{ expectation: INVARIANT, truthEffect: 'recomputed' }])).toEqual({ kind: 'mixed' });
    expect(classifyArm([{ expectation: INCREASE }, { expectation: INCREASE }])).toEqual({ kind: 'directional', direction: 'increase' });
    expect(classifyArm([{ expectation: DECREASE }])).toEqual({ kind: 'directional', direction: 'decrease' });
    expect(classifyArm([{ expectation: INCREASE }, { expectation: DECREASE }])).toEqual({ kind: 'mixed' });
    expect(classifyArm([{ expectation: DEGRADING }])).toEqual({ kind: 'degrading' });
    expect(classifyArm([{ expectation: INVARIANT }, { expectation: DEGRADING }])).toEqual({ kind: 'mixed' });
  });
});
