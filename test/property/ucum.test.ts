/**
 * (d) Unit conversions round-trip exactly at the documented precision (docs/perturbations.md,
 * "Precision rule"), for arbitrary values — positive, negative and zero, from 10⁻⁶ to 10⁵ — and
 * every ordered pair of units of every LOINC code in the table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convert,
  convertRounded,
  decimalsOf,
  inputDecimals,
  MAX_INPUT_DECIMALS,
  outputDecimals,
  roundTo,
  UNIT_LOINCS,
  unitsFor,
} from '../../simulator/perturb/ucum.ts';

const fcOptions = { numRuns: 2_000, ...(process.env['FC_SEED'] ? { seed: Number(process.env['FC_SEED']) } : {}) };

const PAIRS = UNIT_LOINCS.flatMap((loinc) =>
  unitsFor(loinc).flatMap((a) => unitsFor(loinc).filter((b) => b !== a).map((b) => ({ loinc, from: a, to: b }))),
);

/** A value at precision d: the input precision is its unit's convention plus 0–3 decimals (at most 6). */
const inputs = fc
  .record({
    pair: fc.constantFrom(...PAIRS),
    extra: fc.integer({ min: 0, max: 3 }),
    raw: fc.oneof(
      fc.double({ min: -1e5, max: 1e5, noNaN: true }),
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.integer({ min: -1000, max: 1000 }),
    ),
  })
  .map(({ pair, extra, raw }) => {
    const d = Math.min(MAX_INPUT_DECIMALS, inputDecimals(1, pair.from, pair.loinc) + extra);
    const x = roundTo(raw, d);
    return { ...pair, d, x: x === 0 ? 0 : x }; // no -0
  });

describe('ucum round trip (property)', () => {
  it('has pairs for every code with more than one unit', () => {
    expect(PAIRS.length).toBeGreaterThan(20);
  });

  it('converting and converting back gives the input exactly at its precision', () => {
    fc.assert(
      fc.property(inputs, ({ loinc, from, to, d, x }) => {
        const k = outputDecimals(x, from, to, loinc, d);
        const y = convertRounded(x, from, to, loinc, d);
        // The converted value has at most the decimals the rule gives it.
        expect(decimalsOf(y)).toBeLessThanOrEqual(Math.min(k, MAX_INPUT_DECIMALS));
        // Exact back conversion, rounded to the input's precision.
        expect(roundTo(convert(y, to, from, loinc), d) === x).toBe(true);
        // Back conversion rounded by the rule itself, told the converted value's precision.
        expect(roundTo(convertRounded(y, to, from, loinc, k), d) === x).toBe(true);
      }),
      fcOptions,
    );
  });

  it('round-trips with the precision read from the value itself (the default)', () => {
    fc.assert(
      fc.property(inputs, ({ loinc, from, to, x }) => {
        const dx = inputDecimals(x, from, loinc);
        const y = convertRounded(x, from, to, loinc);
        expect(roundTo(convert(y, to, from, loinc), dx) === x).toBe(true);
      }),
      fcOptions,
    );
  });
});
