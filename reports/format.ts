import type { Estimate } from '../simulator/metrics/report-types.ts';

/** Shared number formatting for the text reports: a missing figure is shown as "n/a", never as 0. */
export function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

export function signed(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return (x >= 0 ? '+' : '') + x.toFixed(digits);
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`;
}

export function estimate(e: Estimate | null | undefined, digits = 3, show: (x: number | null, d: number) => string = num): string {
  if (!e || e.value === null) return 'n/a';
  return e.ci ? `${show(e.value, digits)} [${show(e.ci[0], digits)}, ${show(e.ci[1], digits)}]` : show(e.value, digits);
}

export function ms(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(x < 10 ? 2 : 0)} ms`;
}

/** A plain-text table for the console: columns padded to their widest cell, a rule under the header. */
export function textTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
