import { describe, expect, it } from 'vitest';
import {
  convert,
  convertRounded,
  decimalsOf,
  inputDecimals,
  MOLECULAR_WEIGHTS,
  outputDecimals,
  roundTo,
  UNIT_LOINCS,
  UNIT_TABLE,
  UnitConversionError,
  unitsFor,
} from '../../simulator/perturb/ucum.ts';
import { loincCheckDigit } from '../../simulator/perturb/missing/mcar.ts';
import { stream } from '../../simulator/random.ts';

describe('ucum table', () => {
  it('derives the factors from the molecular weights', () => {
    expect(convert(1, 'mmol/L', 'mg/dL', '2524-7')).toBeCloseTo(9.008, 12);
    expect(convert(1, 'mg/dL', 'umol/L', '2160-0')).toBeCloseTo(10_000 / MOLECULAR_WEIGHTS.creatinine, 12);
    expect(convert(1, 'mg/dL', 'umol/L', '2160-0')).toBeCloseTo(88.4, 2);
    expect(convert(1, 'mg/dL', 'umol/L', '1975-2')).toBeCloseTo(17.1, 2);
    expect(convert(1, 'mmol/L', 'mg/dL', '2345-7')).toBeCloseTo(18.0156, 12);
    expect(convert(1, '10*3/uL', '10*9/L', '6690-2')).toBe(1);
    expect(convert(1, '10*3/uL', '/uL', '777-3')).toBeCloseTo(1000, 9);
    expect(convert(-40, 'Cel', '[degF]', '8310-5')).toBeCloseTo(-40, 12);
    expect(convert(212, '[degF]', 'Cel', '8310-5')).toBeCloseTo(100, 12);
  });

  it('gives the known values at the precision rule', () => {
    expect(convertRounded(2.0, 'mmol/L', 'mg/dL', '2524-7')).toBe(18.0);
    expect(outputDecimals(2.0, 'mmol/L', 'mg/dL', '2524-7')).toBe(1);
    expect(convertRounded(1.2, 'mg/dL', 'umol/L', '2160-0')).toBe(106);
    expect(convertRounded(38.0, 'Cel', '[degF]', '8310-5')).toBe(100.4);
    expect(convertRounded(100.4, '[degF]', 'Cel', '8310-5')).toBe(38);
    expect(convertRounded(37.3, 'Cel', '[degF]', '8310-5')).toBe(99.1);
    expect(convertRounded(12.3, '10*3/uL', '/uL', '6690-2')).toBe(12_300);
    expect(convertRounded(12_300, '/uL', '10*3/uL', '6690-2')).toBe(12.3);
    expect(convertRounded(250, '10*3/uL', '10*9/L', '777-3')).toBe(250);
    expect(convertRounded(0.8, 'mg/dL', 'umol/L', '1975-2')).toBe(14);
    expect(convertRounded(110, 'mg/dL', 'mmol/L', '2345-7')).toBe(6.11);
    expect(convertRounded(95, '%', '1', '59408-5')).toBe(0.95);
  });

  it('refuses pairs it has no conversion for, naming the known units', () => {
    expect(() => convert(1, 'mmol/L', 'umol/L', '2524-7')).toThrow(UnitConversionError);
    expect(() => convert(1, 'mmol/L', 'umol/L', '2524-7')).toThrow(/"umol\/L".*2524-7.*known units: mmol\/L, mg\/dL/);
    expect(() => convert(1, 'mg/dl', 'mmol/L', '2524-7')).toThrow(/"mg\/dl"/);
    expect(() => convert(1, 'mg/dL', 'umol/L', '1234-5')).toThrow(/no unit conversions for LOINC 1234-5/);
    expect(() => convert(Number.NaN, 'mmol/L', 'mg/dL', '2524-7')).toThrow(/non-finite/);
    expect(() => convertRounded(1, 'mmol/L', 'mmol/L', '9999-9')).toThrow(UnitConversionError);
  });

  it('only holds valid LOINC codes, and every quantity starts with the unit the generators write', () => {
    for (const loinc of UNIT_LOINCS) {
      const [body = '', check] = loinc.split('-');
      expect(loincCheckDigit(body), loinc).toBe(Number(check));
    }
    expect(UNIT_TABLE['2524-7'].canonical).toBe('mmol/L');
    expect(UNIT_TABLE['2160-0'].canonical).toBe('mg/dL');
    expect(UNIT_TABLE['8310-5'].canonical).toBe('Cel');
    expect(UNIT_TABLE['6690-2'].canonical).toBe('10*3/uL');
  });

  it('round-trips every pair exactly at the original precision', () => {
    const rng = stream('test', 'ucum-round-trip');
    const failures: string[] = [];
    let checked = 0;
    for (const loinc of UNIT_LOINCS) {
      const units = unitsFor(loinc);
      for (const a of units) {
        for (const b of units) {
          if (a === b) continue;
          for (let i = 0; i < 600; i++) {
            // Precision from the unit's convention to three more decimals; magnitude 0.1 .. 10^4.
            const d = inputDecimals(1, a, loinc) + (i % 4);
            const x = roundTo(10 ** (4 * rng() - 1), d);
            if (x === 0) continue;
            const k = outputDecimals(x, a, b, loinc, d);
            const y = convertRounded(x, a, b, loinc, d);
            const trip = `${loinc}: ${x} ${a} -> ${y} ${b}`;
            if (decimalsOf(y) > k) failures.push(`${trip} has more than ${k} decimals`);
            // Exact back conversion, rounded to the original precision.
            const exact = roundTo(convert(y, b, a, loinc), d);
            if (exact !== x) failures.push(`${trip} -> ${exact} ${a} (exact back)`);
            // Back conversion rounded by the rule itself, told the converted value's precision.
            const ruled = roundTo(convertRounded(y, b, a, loinc, k), d);
            if (ruled !== x) failures.push(`${trip} -> ${ruled} ${a} (rounded back)`);
            // Precision read from the value itself.
            const dx = inputDecimals(x, a, loinc);
            const dflt = roundTo(convert(convertRounded(x, a, b, loinc), b, a, loinc), dx);
            if (dflt !== x) failures.push(`${trip} -> ${dflt} ${a} (default precision)`);
            checked++;
          }
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(20_000);
  });

  it('reads decimals and rounds on decimal values', () => {
    expect(decimalsOf(2)).toBe(0);
    expect(decimalsOf(2.5)).toBe(1);
    expect(decimalsOf(0.125)).toBe(3);
    expect(decimalsOf(1e-7)).toBe(6); // capped
    expect(decimalsOf(0.1 + 0.2)).toBe(6); // float noise is capped
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(12_345.599999999999, 1)).toBe(12_345.6);
    expect(roundTo(-2.5, 0)).toBe(-3);
    expect(roundTo(2.5, 0)).toBe(3);
  });
});
