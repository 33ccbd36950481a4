import { describe, expect, it } from 'vitest';
import { RealizedShiftAccumulator } from '../../simulator/metrics/realized-shift.ts';
import { ShiftColumn } from '../../simulator/metrics/shift-columns.ts';

describe('ShiftColumn: realized-shift values kept compactly', () => {
  it('keeps numbers and missing values in order, past its initial capacity', () => {
    const column = new ShiftColumn(20);
    const before = Array.from({ length: 200 }, (_, i) => (i % 9 === 0 ? null : i / 3));
    const after = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? null : -i));
    before.forEach((b, i) => column.push(b, after[i]!));
    expect(column.length).toBe(200);
    expect(column.values()).toEqual({ before, after });
  });

  it('turns categorical at the first text value, reading the numbers before it as text', () => {
    const column = new ShiftColumn(20);
    for (let i = 0; i < 100; i++) column.push(i % 3, null);
    column.push('x', 0.1);
    const { before, after } = column.values();
    expect(before).toEqual([...Array.from({ length: 100 }, (_, i) => String(i % 3)), 'x']);
    expect(after).toEqual([...Array(100).fill(null), '0.1']);
  });

  it('drops a variable with more distinct text values than the limit, and stops storing it', () => {
    const column = new ShiftColumn(3);
    ['a', 'b', 'c'].forEach((v) => column.push(v, v));
    expect(column.dropped).toBe(false);
    column.push('d', 'a');
    expect(column.dropped).toBe(true);
    column.push('a', 'a');
    expect(column.values()).toEqual({ before: [], after: [] });
  });

  it('counts a number that turns the column categorical past the limit as a drop', () => {
    const column = new ShiftColumn(2);
    [1, 2, 3].forEach((v) => column.push(v, v));
    column.push('x', 'x');
    expect(column.dropped).toBe(true);
  });
});

describe('RealizedShiftAccumulator', () => {
  it('gives the same figures fed case by case as the batch function, and counts untouched cases', () => {
    const acc = new RealizedShiftAccumulator();
    acc.add([{ path: 'age', before: 50, after: 80 }]);
    acc.add([]);
    acc.add([
      { path: 'age', before: 60, after: 70 },
      { path: 'age', before: 70, after: 90 },
    ]);
    expect(acc.cases).toBe(3);
    const [age] = acc.result();
    expect(age).toMatchObject({ path: 'age', kind: 'numeric', n: 2, coverage: 2 / 3 });
    // Changes of one variable in one case compose: the first before, the last after.
    expect(age!.before).toMatchObject({ mean: 55, min: 50, max: 60 });
    expect(age!.after).toMatchObject({ mean: 85, min: 80, max: 90 });
  });
});
