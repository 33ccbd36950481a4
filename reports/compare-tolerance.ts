/**
 * How far a figure may move between two runs before the move counts: an absolute amount in the
 * figure's unit, a share of the base value, or both (the larger wins). `0.02` and `10%` are the
 * two written forms (`--tolerance auroc=0.02`, `--tolerance latency.p95=10%`).
 */
export interface Tolerance {
  readonly abs: number;
  readonly rel: number;
}

export const absolute = (abs: number): Tolerance => ({ abs, rel: 0 });

/** The largest move allowed from `base`. */
export const allowedMove = (t: Tolerance, base: number): number => Math.max(t.abs, t.rel * Math.abs(base));

const SPEC = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/;

export function parseTolerance(text: string): Tolerance | undefined {
  const m = SPEC.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] ? { abs: 0, rel: n / 100 } : absolute(n);
}

/**
 * User overrides by key: `metric[scope]` (one arm, phase or attribute), `metric`, or a prefix
 * ending in `*` (`safety.*`). The most specific key wins; the longest prefix among globs.
 */
export type ToleranceOverrides = ReadonlyMap<string, Tolerance>;

export function toleranceFor(metric: string, scope: string, fallback: Tolerance, overrides: ToleranceOverrides = new Map()): Tolerance {
  const exact = overrides.get(`${metric}[${scope}]`) ?? overrides.get(metric);
  if (exact) return exact;
  let best: [string, Tolerance] | undefined;
  for (const [key, t] of overrides) {
    if (!key.endsWith('*')) continue;
    const prefix = key.slice(0, -1);
    if (metric.startsWith(prefix) && (!best || prefix.length > best[0].length)) best = [prefix, t];
  }
  return best?.[1] ?? fallback;
}

/**
 * Parses `key=value` entries (the CLI's repeated `--tolerance`). `known` says whether a key names
 * a metric: a typo must not silently leave the default in force.
 */
export function parseToleranceOverrides(
  entries: readonly string[],
  known: (metric: string) => boolean,
): { overrides: Map<string, Tolerance>; error?: undefined } | { overrides?: undefined; error: string } {
  const overrides = new Map<string, Tolerance>();
  for (const entry of entries) {
    const eq = entry.lastIndexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    const tolerance = eq < 0 ? undefined : parseTolerance(entry.slice(eq + 1));
    if (!key || !tolerance) return { error: `"${entry}": expected metric=value, e.g. auroc=0.02 or latency.p95=10%` };
    const metric = key.replace(/\[[^\]]*\]$/, '');
    if (!(metric.endsWith('*') || known(metric))) return { error: `"${entry}": unknown metric "${metric}"` };
    overrides.set(key, tolerance);
  }
  return { overrides };
}
