import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Case, TaskName } from '../../case.ts';
import { bulkCases, parseResourceLine, type BulkFile, type ImportStats } from './bulk.ts';
import { bundleCases, type BundleSource } from './bundles.ts';
import { ImportError } from './errors.ts';
import { firstLine } from './lines.ts';
import type { ImportScope } from './snapshot.ts';

/**
 * Import of external FHIR R4 data on disk as a stream of clinsim Cases (docs/cohorts.md, "Importing
 * FHIR data"). Layouts, told apart by file extension and the first line of each NDJSON file:
 *
 * - a folder of Bulk Data NDJSON (`<Type>.000.ndjson` …, one resource per line; `.ndjson` or
 *   `.jsonl`), or a single such file: bulk.ts (two passes, grouped by patient);
 * - a folder of `.json` Bundles (one per file) and/or NDJSON files of Bundles (one per line), or a
 *   single such file: bundles.ts.
 *
 * Other files in a folder (README.md, LICENSE, …) are ignored; sub-folders are not read. Files are
 * read in name order, so the case order (and `Case.index`, from 0) is deterministic.
 */

export { ImportError, type ImportErrorCode } from './errors.ts';
export type { ImportStats } from './bulk.ts';
export type { ImportScope } from './snapshot.ts';
export { pseudonymize, PSEUDONYM_SYSTEM } from './pseudonymize.ts';

export interface ImportOptions {
  /** Task the cases are for (Case.task; the tabular view and checks of that task apply). */
  readonly task: TaskName;
  /**
   * Key of the pseudonyms (pseudonymize.ts). Required and non-empty; keep it secret and stable
   * (e.g. from an environment variable) so a patient gets the same pseudonym in every run.
   */
  readonly salt: string;
  /** What goes into each case's bundle (snapshot.ts); default `patient`. */
  readonly scope?: ImportScope;
  readonly signal?: AbortSignal;
  /** Called once when the stream ends normally, with what was imported and skipped. */
  readonly onStats?: (stats: Readonly<ImportStats>) => void;
}

export type ImportLayout = 'bulk-ndjson' | 'bundles';

export interface DetectedLayout {
  readonly layout: ImportLayout;
  readonly bulk: readonly BulkFile[];
  readonly bundles: readonly BundleSource[];
}

const NDJSON_EXT = new Set(['.ndjson', '.jsonl']);

async function classify(path: string, label: string): Promise<{ bulk?: BulkFile; bundle?: BundleSource }> {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return { bundle: { path, label, kind: 'json' } };
  if (!NDJSON_EXT.has(ext)) return {};
  const first = await firstLine(path, label);
  if (!first) return {}; // an empty file: nothing to import
  const resource = parseResourceLine(first.text, { file: path, label, line: first.line });
  return resource.resourceType === 'Bundle' ? { bundle: { path, label, kind: 'ndjson' } } : { bulk: { path, label } };
}

/** Which layout a path holds, and the files to read in order. Throws an ImportError when there is nothing to import. */
export async function detectLayout(path: string): Promise<DetectedLayout> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ImportError('unreadable', { file: path }, `cannot read (${(err as Error).message})`, { cause: err });
  }
  const bulk: BulkFile[] = [];
  const bundles: BundleSource[] = [];
  if (info.isDirectory()) {
    const names = (await readdir(path, { withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => d.name)
      .sort();
    for (const name of names) {
      const c = await classify(join(path, name), name);
      if (c.bulk) bulk.push(c.bulk);
      if (c.bundle) bundles.push(c.bundle);
    }
  } else {
    const ext = extname(path).toLowerCase();
    if (ext !== '.json' && !NDJSON_EXT.has(ext)) {
      throw new ImportError('unknown-layout', { file: path, label: basename(path) }, 'not a .json, .ndjson or .jsonl file');
    }
    const c = await classify(path, basename(path));
    if (c.bulk) bulk.push(c.bulk);
    if (c.bundle) bundles.push(c.bundle);
  }
  if (bulk.length > 0 && bundles.length > 0) {
    throw new ImportError(
      'mixed-layout',
      { file: path },
      `both Bulk NDJSON resources (${bulk[0]!.label}) and Bundles (${bundles[0]!.label}); import them separately`,
    );
  }
  if (bulk.length === 0 && bundles.length === 0) {
    throw new ImportError('unknown-layout', { file: path }, 'no FHIR data found (.json Bundles or .ndjson / .jsonl files)');
  }
  return { layout: bulk.length > 0 ? 'bulk-ndjson' : 'bundles', bulk, bundles };
}

/**
 * One Case per Patient of the FHIR data at `path` (folder or file), streamed. Each case's bundle
 * is a pseudonymized `collection` Bundle of the patient's resources, `timestamp` = prediction time,
 * and `truth` is `{}`: imported data carry no ground truth, so label-based metrics are not
 * available for them (never invented). Malformed input throws an ImportError naming file and line.
 */
export async function* importCases(path: string, options: ImportOptions): AsyncGenerator<Case> {
  if (typeof options.salt !== 'string' || options.salt.length === 0) {
    throw new RangeError('importCases needs a non-empty salt for the pseudonyms');
  }
  const detected = await detectLayout(path);
  const stats: ImportStats = { patients: 0, resources: 0, unlinked: 0, orphaned: 0 };
  const common = {
    task: options.task,
    salt: options.salt,
    scope: options.scope ?? 'patient',
    stats,
    ...(options.signal ? { signal: options.signal } : {}),
  } as const;
  if (detected.layout === 'bulk-ndjson') yield* bulkCases(detected.bulk, common);
  else yield* bundleCases(detected.bundles, common);
  options.onStats?.({ ...stats });
}

/** All cases of an import in an array: for small inputs and tests (memory grows with the input). */
export async function importAll(path: string, options: ImportOptions): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of importCases(path, options)) out.push(c);
  return out;
}
