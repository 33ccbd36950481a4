import { z } from 'zod';

/**
 * Durations as k6 writes them: a number with a unit, or several (`500ms`, `20s`, `2m`, `1h`,
 * `1m30s`, `1.5s`). Units: ms, s, m, h. A bare number is refused: it would be ambiguous.
 */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < trimmed.length) {
    const at = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (!match || match.index !== at) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return total;
}

/** Formats milliseconds back as the shortest exact duration string (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms)) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join('');
}

/** A zod schema for a duration string within [minMs, maxMs], parsed to milliseconds. */
export function durationMs(minMs: number, maxMs: number) {
  return z
    .string({ error: `a duration such as "20s", "2m" or "500ms"` })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write e.g. "500ms", "20s", "2m", "1h" or "1m30s"` });
        return z.NEVER;
      }
      if (ms < minMs || ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is out of bounds: from ${formatDuration(minMs)} to ${formatDuration(maxMs)}` });
        return z.NEVER;
      }
      return ms;
    });
}
