/**
 * Dotted paths into parsed JSON, as used by response mappings: `score`, `result.probability`,
 * `outputs.0.data.0` or `choices[0].message.content`. Only own properties are followed, so a path
 * cannot reach `__proto__` or inherited members.
 */

/** Splits `a.b[0].c` into `['a', 'b', '0', 'c']`. Throws on an empty path or segment. */
export function parsePath(path: string): string[] {
  const segments = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  if (path.trim() === '' || segments.some((s) => s === '')) {
    throw new Error(`invalid path "${path}": use dotted names such as "result.score" or "outputs.0.data"`);
  }
  return segments;
}

/** The value at `path`, or undefined when any step is missing. */
export function getPath(value: unknown, path: string | readonly string[]): unknown {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  let current: unknown = value;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
