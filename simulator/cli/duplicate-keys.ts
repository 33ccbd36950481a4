import { extname } from 'node:path';
import { transform, type Loader } from 'esbuild';

/**
 * Keys written twice in one object literal of a scenario file: `arms: { a: [], a: [...] }` loads
 * as an object with one arm `a` (the later one silently wins), so the schema cannot see it. tsc
 * reports it (TS1117) but the CLI runs scenario files without type checking, so the source is
 * scanned with esbuild, the parser tsx already runs the file through: it warns about duplicate
 * keys with their line and column, and has no false positives from strings, comments or templates.
 */
export interface DuplicateKey {
  readonly key: string;
  /** 1-based line of the repeated key, and of its first occurrence. */
  readonly line: number;
  readonly firstLine: number | null;
}

const LOADERS: Readonly<Record<string, Loader>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};

const KEY = /^Duplicate key "(.*)" in object literal$/;

/** The duplicate keys of a module's source; empty when there are none or the source does not parse. */
export async function duplicateKeys(source: string, file: string): Promise<DuplicateKey[]> {
  let warnings;
  try {
    ({ warnings } = await transform(source, { loader: LOADERS[extname(file)] ?? 'ts', sourcefile: file, logLevel: 'silent' }));
  } catch {
    return []; // a syntax error is reported by the import itself
  }
  return warnings.flatMap((w) => {
    const key = w.id === 'duplicate-object-key' ? KEY.exec(w.text)?.[1] : undefined;
    if (key === undefined || !w.location) return [];
    return [{ key, line: w.location.line, firstLine: w.notes[0]?.location?.line ?? null }];
  });
}

/**
 * Where a key sits in the loaded value, as field paths (`arms.older`); only plain objects and
 * arrays are followed, a few levels deep.
 */
export function pathsOfKey(value: unknown, key: string, depth = 6): PropertyKey[][] {
  if (depth === 0 || typeof value !== 'object' || value === null) return [];
  const out: PropertyKey[][] = [];
  const entries: [PropertyKey, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null
      ? Object.entries(value)
      : [];
  for (const [k, v] of entries) {
    if (k === key) out.push([k]);
    for (const inner of pathsOfKey(v, key, depth - 1)) out.push([k, ...inner]);
  }
  return out;
}
