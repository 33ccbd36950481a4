import { describe, expect, it } from 'vitest';
import {
  bernoulli,
  categorical,
  clamp,
  normal,
  patientStream,
  perturbationStream,
  pick,
  stream,
} from '../../simulator/random.ts';

function take(rng: () => number, n: number): number[] {
  return Array.from({ length: n }, () => rng());
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('seeded streams', () => {
  it('the same key gives the same sequence, uniforms and int32 alike', () => {
    expect(take(stream('a', 1, 'b'), 50)).toEqual(take(stream('a', 1, 'b'), 50));
    const x = patientStream(7, 'sepsis', 3);
    const y = patientStream(7, 'sepsis', 3);
    expect(Array.from({ length: 20 }, () => x.int32())).toEqual(Array.from({ length: 20 }, () => y.int32()));
  });

  it('draws are uniforms in [0, 1) and int32 are signed 32-bit integers', () => {
    const rng = stream('range');
    for (let i = 0; i < 10_000; i++) {
      const u = rng();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const k = rng.int32();
      expect(Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31).toBe(true);
    }
  });

  it('a different seed, task, index or purpose gives a different sequence', () => {
    const base = take(patientStream(7, 'sepsis', 3), 10);
    expect(take(patientStream(8, 'sepsis', 3), 10)).not.toEqual(base);
    expect(take(patientStream(7, 'other', 3), 10)).not.toEqual(base);
    expect(take(patientStream(7, 'sepsis', 4), 10)).not.toEqual(base);
    expect(take(perturbationStream(7, 'sepsis', 3, 0), 10)).not.toEqual(base);
  });

  it('key parts are separated: ("a", "bc") and ("ab", "c") are different streams', () => {
    expect(take(stream('a', 'bc'), 10)).not.toEqual(take(stream('ab', 'c'), 10));
    expect(take(stream(1, 23), 10)).not.toEqual(take(stream(12, 3), 10));
  });

  it('streams of neighbouring keys are uncorrelated', () => {
    const a = take(patientStream(1, 'sepsis', 0), 20_000);
    const b = take(patientStream(1, 'sepsis', 1), 20_000);
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.03);
    // First draw across many patient streams: uniform, not clustered.
    const firsts = Array.from({ length: 20_000 }, (_, i) => patientStream(1, 'sepsis', i)());
    const mean = firsts.reduce((s, x) => s + x, 0) / firsts.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it('a stream does not depend on what other streams drew before it', () => {
    const alone = take(patientStream(5, 'sepsis', 9), 5);
    take(patientStream(5, 'sepsis', 8), 1000);
    expect(take(patientStream(5, 'sepsis', 9), 5)).toEqual(alone);
  });
});

describe('distribution helpers', () => {
  it('normal has the asked mean and sd and uses two uniforms per call', () => {
    const rng = stream('normal');
    const xs = Array.from({ length: 40_000 }, () => normal(rng, 10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);

    let calls = 0;
    const inner = stream('count');
    const counting = Object.assign(() => (calls++, inner()), { int32: () => inner.int32() });
    normal(counting);
    expect(calls).toBe(2);
  });

  it('bernoulli, categorical and pick follow their weights with one uniform each', () => {
    const rng = stream('discrete');
    let hits = 0;
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) {
      if (bernoulli(rng, 0.3)) hits++;
      counts[categorical(rng, [1, 2, 7])]!++;
    }
    expect(hits / 30_000).toBeCloseTo(0.3, 1);
    expect(counts[0]! / 30_000).toBeCloseTo(0.1, 1);
    expect(counts[2]! / 30_000).toBeCloseTo(0.7, 1);
    const seen = new Set(Array.from({ length: 200 }, () => pick(rng, ['x', 'y', 'z'])));
    expect([...seen].sort()).toEqual(['x', 'y', 'z']);
  });

  it('clamp bounds a value', () => {
    expect(clamp(5, 0, 3)).toBe(3);
    expect(clamp(-1, 0, 3)).toBe(0);
    expect(clamp(2, 0, 3)).toBe(2);
  });
});
