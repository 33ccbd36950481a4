import { describe, expect, it } from 'vitest';
import { evaluateGate, parseGate, type Gate } from '../../simulator/metrics/gates.ts';
import { armReport, est, quality } from './report-fixtures.ts';

const CHECKS = ['critical-miss', 'invariance'];

function gate(key: string, expression: string, checks: readonly string[] = CHECKS): Gate {
  const parsed = parseGate(key, expression, checks);
  if (!parsed.gate) throw new Error(`expected ${key} ${expression} to parse: ${parsed.error}`);
  return parsed.gate;
}

function error(key: string, expression: string, checks: readonly string[] = CHECKS): string {
  const parsed = parseGate(key, expression, checks);
  if (parsed.gate) throw new Error(`expected ${key} ${expression} to be rejected`);
  return parsed.error;
}

describe('parseGate', () => {
  it('parses a metric with an arm selector', () => {
    expect(parseGate('auroc[baseline]', '>= 0.80')).toEqual({
      gate: { key: 'auroc[baseline]', expression: '>= 0.80', figure: 'auroc', selector: 'baseline', op: '>=', bound: 0.8 },
    });
  });

  it('parses a modifier with the [*] selector, with or without spaces in the expression', () => {
    expect(gate('auroc.drop[*]', '<= 0.05')).toMatchObject({ figure: 'auroc.drop', selector: '*', op: '<=', bound: 0.05 });
    expect(gate('auroc.drop[*]', '<=0.05')).toMatchObject({ op: '<=', bound: 0.05 });
    expect(gate('brier.delta[older]', ' < 0.01 ')).toMatchObject({ figure: 'brier.delta', selector: 'older', op: '<', bound: 0.01 });
  });

  it('applies a key without a selector to every arm', () => {
    expect(gate('safety.critical', '== 0')).toMatchObject({ figure: 'safety.critical', selector: '*', op: '==', bound: 0 });
    expect(gate('latency.p95', '< 250')).toMatchObject({ figure: 'latency.p95', selector: '*', op: '<', bound: 250 });
  });

  it('reads every comparator and number form', () => {
    expect(gate('auroc', '> 0.7')).toMatchObject({ op: '>', bound: 0.7 });
    expect(gate('auroc', '!= 1')).toMatchObject({ op: '!=', bound: 1 });
    expect(gate('auroc', '>= .5')).toMatchObject({ bound: 0.5 });
    expect(gate('auroc', '>= 1e-3')).toMatchObject({ bound: 0.001 });
    expect(gate('auroc.delta', '>= -0.02')).toMatchObject({ bound: -0.02 });
  });

  it('accepts safety.<check> only for a check it is told about', () => {
    expect(gate('safety.critical-miss', '== 0', ['critical-miss'])).toMatchObject({
      figure: 'safety.critical-miss',
      selector: '*',
    });
    expect(error('safety.critical-miss', '== 0', [])).toMatch(/^unknown metric "safety.critical-miss" in gate "safety.critical-miss"/);
    // Without the safety. prefix a check name is not a figure.
    expect(error('critical-miss', '== 0', ['critical-miss'])).toMatch(/^unknown metric "critical-miss"/);
  });

  it('rejects a malformed key with an example of the right form', () => {
    for (const key of ['auroc[', '1auroc', 'auroc[a][b]', 'auroc baseline', '']) {
      expect(error(key, '>= 0.8')).toBe(`malformed gate key "${key}"; expected e.g. "auroc[baseline]" or "auroc.drop[*]"`);
    }
  });

  it('rejects an unknown metric and lists the known ones', () => {
    const message = error('aucroc[baseline]', '>= 0.8');
    expect(message).toMatch(/^unknown metric "aucroc" in gate "aucroc\[baseline\]"; known: auroc, auroc.delta, auroc.drop, brier,/);
    expect(message).toContain('latency.p95');
    expect(message).toContain('safety.<check>');
    expect(message.endsWith('load.<figure>')).toBe(true);
    expect(error('AUROC', '>= 0.8')).toMatch(/^unknown metric "AUROC"/);
  });

  it('rejects a malformed expression, naming it and the gate', () => {
    for (const expression of ['=> 0.8', '>= abc', '', '0.8', '>= 1 2', '= 0', '>== 1']) {
      expect(error('auroc[baseline]', expression)).toBe(
        `malformed expression "${expression}" for gate "auroc[baseline]"; expected e.g. ">= 0.8" or "== 0"`,
      );
    }
  });

  it('reports the key problem before the expression problem', () => {
    expect(error('nope', 'garbage')).toMatch(/^unknown metric "nope"/);
  });
});

describe('evaluateGate', () => {
  const baseline = armReport('baseline', { metrics: quality({ auroc: 0.82, brier: 0.1 }) });
  const older = armReport('older', {
    metrics: quality({ auroc: 0.75 }),
    delta: quality({ auroc: -0.07, brier: 0.02 }),
    flipRate: 0.1,
  });
  const units = armReport('units', {
    metrics: quality({ auroc: 0.81 }),
    delta: quality({ auroc: -0.01, brier: 0 }),
    flipRate: 0.02,
  });
  const arms = [baseline, older, units];

  it('evaluates a single-arm selector', () => {
    expect(evaluateGate(gate('auroc[baseline]', '>= 0.80'), arms, CHECKS)).toEqual([
      { name: 'auroc[baseline]', expression: '>= 0.80', actual: 0.82, pass: true },
    ]);
    expect(evaluateGate(gate('auroc[older]', '>= 0.80'), arms, CHECKS)).toEqual([
      { name: 'auroc[older]', expression: '>= 0.80', actual: 0.75, pass: false },
    ]);
  });

  it('expands [*] and a key without a selector to one result per arm', () => {
    const expected = [
      { name: 'auroc[baseline]', expression: '> 0.8', actual: 0.82, pass: true },
      { name: 'auroc[older]', expression: '> 0.8', actual: 0.75, pass: false },
      { name: 'auroc[units]', expression: '> 0.8', actual: 0.81, pass: true },
    ];
    expect(evaluateGate(gate('auroc[*]', '> 0.8'), arms, CHECKS)).toEqual(expected);
    expect(evaluateGate(gate('auroc', '> 0.8'), arms, CHECKS)).toEqual(expected);
  });

  it('reads drop as minus the delta and skips the baseline under [*]', () => {
    const results = evaluateGate(gate('auroc.drop[*]', '<= 0.05'), arms, CHECKS);
    expect(results.map((r) => r.name)).toEqual(['auroc.drop[older]', 'auroc.drop[units]']);
    expect(results[0]!.actual).toBeCloseTo(0.07, 12);
    expect(results[0]!.pass).toBe(false);
    expect(results[1]!.actual).toBeCloseTo(0.01, 12);
    expect(results[1]!.pass).toBe(true);
  });

  it('skips the baseline for delta and flipRate under [*] too', () => {
    expect(evaluateGate(gate('brier.delta', '<= 0.01'), arms, CHECKS)).toEqual([
      { name: 'brier.delta[older]', expression: '<= 0.01', actual: 0.02, pass: false },
      { name: 'brier.delta[units]', expression: '<= 0.01', actual: 0, pass: true },
    ]);
    expect(evaluateGate(gate('flipRate[*]', '< 0.05'), arms, CHECKS)).toEqual([
      { name: 'flipRate[older]', expression: '< 0.05', actual: 0.1, pass: false },
      { name: 'flipRate[units]', expression: '< 0.05', actual: 0.02, pass: true },
    ]);
  });

  it('fails a relative figure asked of the baseline by name: it has no delta', () => {
    expect(evaluateGate(gate('auroc.drop[baseline]', '<= 0.05'), arms, CHECKS)).toEqual([
      { name: 'auroc.drop[baseline]', expression: '<= 0.05', actual: null, pass: false },
    ]);
  });

  it('fails a null metric whatever the comparator', () => {
    const oneClass = armReport('one-class', { metrics: quality({ auroc: null }) });
    for (const expression of ['>= 0', '<= 1', '!= 0.5']) {
      expect(evaluateGate(gate('auroc', expression), [oneClass], CHECKS)).toEqual([
        { name: 'auroc[one-class]', expression, actual: null, pass: false },
      ]);
    }
    const noLatency = armReport('all-timeouts', { latency: null });
    expect(evaluateGate(gate('latency.p95', '< 1000'), [noLatency], CHECKS)).toEqual([
      { name: 'latency.p95[all-timeouts]', expression: '< 1000', actual: null, pass: false },
    ]);
  });

  it('fails a selector that names no arm, with one result under the key', () => {
    expect(evaluateGate(gate('auroc[missing-arm]', '>= 0.8'), arms, CHECKS)).toEqual([
      { name: 'auroc[missing-arm]', expression: '>= 0.8', actual: null, pass: false },
    ]);
  });

  it('applies each comparator exactly at, below and above the bound', () => {
    const at = (value: number) => [armReport('a', { metrics: quality({ auroc: value }) })];
    const pass = (expression: string, value: number) => evaluateGate(gate('auroc', expression), at(value), CHECKS)[0]!.pass;
    expect([pass('< 0.8', 0.79), pass('< 0.8', 0.8), pass('< 0.8', 0.81)]).toEqual([true, false, false]);
    expect([pass('<= 0.8', 0.79), pass('<= 0.8', 0.8), pass('<= 0.8', 0.81)]).toEqual([true, true, false]);
    expect([pass('> 0.8', 0.79), pass('> 0.8', 0.8), pass('> 0.8', 0.81)]).toEqual([false, false, true]);
    expect([pass('>= 0.8', 0.79), pass('>= 0.8', 0.8), pass('>= 0.8', 0.81)]).toEqual([false, true, true]);
    expect([pass('== 0.8', 0.79), pass('== 0.8', 0.8), pass('== 0.8', 0.81)]).toEqual([false, true, false]);
    expect([pass('!= 0.8', 0.79), pass('!= 0.8', 0.8), pass('!= 0.8', 0.81)]).toEqual([true, false, true]);
  });

  it('reads latency, outcome rates and safety counts', () => {
    const arm = armReport('x', {
      calls: 8,
      outcomes: { ok: 4, error: 2, timeout: 1, invalid: 1 },
      latency: { p50: 10, p90: 90, p95: 120, p99: 300, max: 400 },
      safety: {
        failures: 4,
        bySeverity: { critical: 3, major: 1, minor: 0 },
        byCheck: {
          'critical-miss': { count: 3, applied: 6, rate: 0.5, ci: [0.19, 0.81] },
          invariance: { count: 1, applied: 4, rate: 0.25, ci: [0.05, 0.7] },
        },
      },
    });
    const actual = (key: string) => evaluateGate(gate(key, '>= 0'), [arm], CHECKS)[0]!.actual;
    expect(actual('latency.p95')).toBe(120);
    expect(actual('latency.max')).toBe(400);
    expect(actual('errorRate')).toBe(0.5);
    expect(actual('timeoutRate')).toBe(0.125);
    expect(actual('invalidRate')).toBe(0.125);
    expect(actual('outcomes.error')).toBe(2);
    expect(actual('safety.failures')).toBe(4);
    expect(actual('safety.critical')).toBe(3);
    expect(actual('safety.major')).toBe(1);
    expect(actual('safety.critical-miss')).toBe(3);
    expect(actual('safety.invariance')).toBe(1);
  });

  it('counts a check that never applied as 0 and a rate over no calls as not available', () => {
    const idle = armReport('idle', { calls: 0, outcomes: { ok: 0, error: 0, timeout: 0, invalid: 0 } });
    expect(evaluateGate(gate('safety.critical-miss', '== 0'), [idle], CHECKS)).toEqual([
      { name: 'safety.critical-miss[idle]', expression: '== 0', actual: 0, pass: true },
    ]);
    expect(evaluateGate(gate('errorRate', '<= 0.1'), [idle], CHECKS)).toEqual([
      { name: 'errorRate[idle]', expression: '<= 0.1', actual: null, pass: false },
    ]);
  });

  it('fails a non-finite figure', () => {
    const arm = armReport('nan', { metrics: { ...quality(), brier: est(Number.NaN) } });
    expect(evaluateGate(gate('brier', '<= 1'), [arm], CHECKS)).toEqual([
      { name: 'brier[nan]', expression: '<= 1', actual: null, pass: false },
    ]);
  });
});
