import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Bundle } from 'fhir/r4.js';
import type { CohortOptions, TaskDefinition } from './task.ts';
import { tableCells, tableHeader, writeCsvFile } from './csv.ts';

/**
 * Streaming cohort writers used by `clinsim generate`, and the cohort content hash of the manifest.
 *
 * - `ndjson`: FHIR Bulk Data style, one `<ResourceType>.ndjson` per resource type present, one
 *   resource per line, in patient order (then bundle order within a patient).
 * - `bundle`: one `bundle-<index padded to 6>.json` per patient, holding the bundle's NDJSON line
 *   (compact JSON and a newline), so concatenating the files in index order gives the hashed text.
 * - `csv`: one `<task>.csv` file, the task's tabular view (csv.ts): a header row, then one row per
 *   patient in the given order. `resources` and `byType` count the entries of the bundles the rows
 *   were read from; the cohort hash is the same as in the other formats (over the bundles).
 *
 * Memory does not grow with the cohort size: one patient at a time, bounded write buffers, and the
 * writers wait for 'drain' when a stream asks them to. Output is byte-identical for the same task,
 * options and indices.
 */

export type ExportFormat = 'ndjson' | 'bundle' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'bundle', 'csv'];

export interface WriteCohortOptions {
  readonly task: TaskDefinition;
  readonly cohort: CohortOptions;
  /** Patients 0..size-1, unless `indices` is given. */
  readonly size: number;
  readonly outDir: string;
  readonly format: ExportFormat;
  /** Patient indices to write, in this order (e.g. one shard's); overrides `size`. */
  readonly indices?: Iterable<number>;
  /** Also compute the cohort hash (costs one more serialisation per patient in ndjson format). */
  readonly hash?: boolean;
  readonly signal?: AbortSignal;
}

export interface WriteCohortResult {
  readonly patients: number;
  /** Files written. */
  readonly files: number;
  /** Resources written (entries of all bundles). */
  readonly resources: number;
  /** Resources per resource type, in first-seen order. */
  readonly byType: Readonly<Record<string, number>>;
  /** cohortHasher() digest of the written patients, when `hash` was asked for. */
  readonly hash?: string;
}

/** The NDJSON line of a value: compact JSON and a newline. */
export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export interface CohortHasher {
  /** Adds the next patient's bundle; call in patient index order. */
  add(bundle: Bundle): void;
  /** Adds an already serialised NDJSON line of a bundle (exactly ndjsonLine(bundle)). */
  addLine(line: string): void;
  readonly patients: number;
  /** Lowercase hex sha256 of the concatenated lines. Ends the hasher. */
  digest(): string;
}

/**
 * Incremental sha256 over the NDJSON serialisation of each patient bundle, in index order: the
 * cohort content hash of a run's manifest. Two cohorts hash equal iff their bundles serialise to
 * the same bytes in the same order.
 */
export function cohortHasher(): CohortHasher {
  const hash = createHash('sha256');
  let patients = 0;
  return {
    add(bundle) {
      hash.update(ndjsonLine(bundle));
      patients++;
    },
    addLine(line) {
      hash.update(line);
      patients++;
    },
    get patients() {
      return patients;
    },
    digest() {
      return hash.digest('hex');
    },
  };
}

export function bundleFileName(index: number): string {
  return `bundle-${String(index).padStart(6, '0')}.json`;
}

function* range(size: number): Generator<number> {
  for (let i = 0; i < size; i++) yield i;
}

/** A write stream with a string buffer, flushed in large chunks, honouring backpressure. */
class BufferedFile {
  private buffer = '';
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  /** Appends text; resolves at once unless the buffer was flushed into a full stream. */
  write(text: string): Promise<void> | undefined {
    this.buffer += text;
    if (this.buffer.length < BufferedFile.CHUNK) return undefined;
    return this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    if (!this.stream.writableFinished) await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }

  /** Closes without waiting for buffered data (after an error or abort). */
  destroy(): void {
    this.stream.destroy();
  }

  static readonly CHUNK = 256 * 1024;
}

/** Writes a cohort to `outDir` in the given format; see the module comment for the layout. */
export async function writeCohort(options: WriteCohortOptions): Promise<WriteCohortResult> {
  const { task, cohort, outDir, format, signal } = options;
  if (!EXPORT_FORMATS.includes(format)) throw new RangeError(`unknown export format "${format}"`);
  await mkdir(outDir, { recursive: true });
  const indices = options.indices ?? range(options.size);
  const hasher = options.hash ? cohortHasher() : undefined;
  if (format === 'csv') return writeTable(task, cohort, indices, outDir, hasher, signal);
  return format === 'ndjson'
    ? writeNdjson(task, cohort, indices, outDir, hasher, signal)
    : writeBundles(task, cohort, indices, outDir, hasher, signal);
}

async function writeNdjson(
  task: TaskDefinition,
  cohort: CohortOptions,
  indices: Iterable<number>,
  outDir: string,
  hasher: CohortHasher | undefined,
  signal: AbortSignal | undefined,
): Promise<WriteCohortResult> {
  const files = new Map<string, BufferedFile>();
  const byType: Record<string, number> = {};
  let patients = 0;
  let resources = 0;
  try {
    for (const index of indices) {
      signal?.throwIfAborted();
      const { bundle } = task.generate(cohort, index);
      if (hasher) hasher.add(bundle);
      for (const entry of bundle.entry ?? []) {
        const resource = entry.resource;
        if (!resource) continue;
        const type = resource.resourceType;
        let file = files.get(type);
        if (!file) {
          file = new BufferedFile(join(outDir, `${type}.ndjson`));
          files.set(type, file);
          byType[type] = 0;
        }
        byType[type]!++;
        resources++;
        const pending = file.write(ndjsonLine(resource));
        if (pending) await pending;
      }
      patients++;
    }
    for (const file of files.values()) await file.close();
  } catch (err) {
    for (const file of files.values()) file.destroy();
    throw err;
  }
  return { patients, files: files.size, resources, byType, ...(hasher ? { hash: hasher.digest() } : {}) };
}

/** Writes in flight at once in bundle format. */
const MAX_PENDING_FILES = 16;

async function writeBundles(
  task: TaskDefinition,
  cohort: CohortOptions,
  indices: Iterable<number>,
  outDir: string,
  hasher: CohortHasher | undefined,
  signal: AbortSignal | undefined,
): Promise<WriteCohortResult> {
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  const byType: Record<string, number> = {};
  let patients = 0;
  let resources = 0;
  try {
    for (const index of indices) {
      signal?.throwIfAborted();
      if (failure !== undefined) throw failure;
      const { bundle } = task.generate(cohort, index);
      for (const entry of bundle.entry ?? []) {
        if (!entry.resource) continue;
        const type = entry.resource.resourceType;
        byType[type] = (byType[type] ?? 0) + 1;
        resources++;
      }
      const line = ndjsonLine(bundle);
      hasher?.addLine(line);
      const write: Promise<void> = writeFile(join(outDir, bundleFileName(index)), line).then(
        () => {
          pending.delete(write);
        },
        (err: unknown) => {
          pending.delete(write);
          failure ??= err;
        },
      );
      pending.add(write);
      patients++;
      if (pending.size >= MAX_PENDING_FILES) await Promise.race(pending);
    }
  } finally {
    await Promise.all(pending);
  }
  if (failure !== undefined) throw failure;
  return { patients, files: patients, resources, byType, ...(hasher ? { hash: hasher.digest() } : {}) };
}

/** File name of the `csv` format: `<task>.csv`. */
export function tableFileName(task: TaskDefinition): string {
  return `${task.name}.csv`;
}

async function writeTable(
  task: TaskDefinition,
  cohort: CohortOptions,
  indices: Iterable<number>,
  outDir: string,
  hasher: CohortHasher | undefined,
  signal: AbortSignal | undefined,
): Promise<WriteCohortResult> {
  const byType: Record<string, number> = {};
  let resources = 0;
  function* rows(): Generator<ReturnType<typeof tableCells>> {
    for (const index of indices) {
      const c = task.generate(cohort, index);
      hasher?.add(c.bundle);
      for (const entry of c.bundle.entry ?? []) {
        if (!entry.resource) continue;
        const type = entry.resource.resourceType;
        byType[type] = (byType[type] ?? 0) + 1;
        resources++;
      }
      yield tableCells(task.table, c);
    }
  }
  const patients = await writeCsvFile(join(outDir, tableFileName(task)), tableHeader(task.table), rows(), signal);
  return { patients, files: 1, resources, byType, ...(hasher ? { hash: hasher.digest() } : {}) };
}
