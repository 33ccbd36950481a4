import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * How request paths become file paths. A run id is a single folder name of a strict alphabet (no
 * separators, no leading dot, no `..`), and every resolved path is checked after symlinks are
 * followed: a folder or file that is (or links to) anything outside the runs folder does not exist
 * for the dashboard.
 */

/** Ids `clinsim run` makes (`20260101T020000-a1b2c3`) and names given with `--out`. */
export const RUN_ID = /^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,99}$/;

export function isRunId(text: string): boolean {
  return RUN_ID.test(text);
}

/** The files of a run folder the dashboard serves, by name, with their media types. */
export const RUN_FILES = {
  'report.html': 'text/html; charset=utf-8',
  'report.json': 'application/json; charset=utf-8',
  'summary.md': 'text/markdown; charset=utf-8',
  'junit.xml': 'application/xml; charset=utf-8',
  'manifest.json': 'application/json; charset=utf-8',
  // Written by `clinsim run --baseline`.
  'compare.md': 'text/markdown; charset=utf-8',
  'compare.json': 'application/json; charset=utf-8',
} as const satisfies Record<string, string>;
export type RunFileName = keyof typeof RUN_FILES;

export function isRunFileName(name: string): name is RunFileName {
  return Object.hasOwn(RUN_FILES, name);
}

/** True when `child` is `root` itself or below it (both real, absolute paths). */
function isWithin(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of the runs folder, or null when it does not exist. */
export async function realRunsRoot(runsDir: string): Promise<string | null> {
  try {
    const real = await realpath(runsDir);
    return (await stat(real)).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

/** The real path of run `id` under `root` (a real path), or null when it is not a run folder inside it. */
export async function resolveRunDir(root: string, id: string): Promise<string | null> {
  if (!isRunId(id)) return null;
  try {
    const real = await realpath(join(root, id));
    if (real === root || !isWithin(root, real)) return null;
    return (await stat(real)).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

/** The real path of an allow-listed file of a run folder, or null when it is absent or leads outside. */
export async function resolveRunFile(root: string, runDir: string, name: RunFileName): Promise<string | null> {
  try {
    const real = await realpath(join(runDir, name));
    if (!isWithin(runDir, real) || !isWithin(root, real)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}
