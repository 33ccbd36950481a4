/**
 * The inputs of `clinsim drift`: a task's tabular view (task.table) of a dataset, column by column.
 *
 * A dataset is either
 * - a CSV in the `clinsim generate --format csv` layout (a `.csv` file, or a folder holding
 *   `<task>.csv`): a header naming at least every feature column of the task (others, such as
 *   `case` and the truth columns, are ignored), RFC 4180 quoting, an empty field is missing; or
 * - FHIR R4 data on disk in any layout `importCases` reads (Bulk Data NDJSON or Bundles), each
 *   patient turned into a row by the task's view, exactly as a run's journal `features` are.
 *
 * CSV does not keep types, so a column is read as text (a category) when the task's own generator
 * writes text there (e.g. med-safety's `draft_rxnorm`, an RxNorm code that looks like a number; found
 * by reading the view of a few generated patients), or when one of its fields is not a number.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { importCases, type ImportScope } from '../cohort/import/index.ts';
import type { TaskDefinition } from '../cohort/task.ts';
import type { FeatureValue } from '../metrics/feature-columns.ts';
import { InputError } from './exit-codes.ts';

export interface FeatureTable {
  readonly path: string;
  readonly format: 'csv' | 'fhir';
  readonly rows: number;
  /** Every feature column of the task, cells in row order. */
  readonly columns: ReadonlyMap<string, readonly FeatureValue[]>;
}

export interface ReadOptions {
  /** Pseudonym key for FHIR import (identifiers never reach the output here). */
  readonly salt: string;
  readonly scope: ImportScope;
}

/** Reads a dataset as the task's tabular view. */
export async function readFeatureTable(path: string, task: TaskDefinition, options: ReadOptions): Promise<FeatureTable> {
  const csv = await csvPathOf(path, task);
  if (csv !== undefined) return readCsvTable(path, csv, task);
  const columns = new Map<string, FeatureValue[]>(task.table.features.map((f) => [f, []]));
  let rows = 0;
  for await (const c of importCases(path, { task: task.name, salt: options.salt, scope: options.scope })) {
    const cells = task.table.featuresOf(c.bundle);
    task.table.features.forEach((f, i) => {
      const cell = cells[i];
      columns.get(f)!.push(cell === undefined || (typeof cell === 'number' && !Number.isFinite(cell)) ? null : cell);
    });
    rows++;
  }
  return { path, format: 'fhir', rows, columns };
}

/** The CSV file to read, or undefined for FHIR data. */
async function csvPathOf(path: string, task: TaskDefinition): Promise<string | undefined> {
  if (path.toLowerCase().endsWith('.csv')) return path;
  try {
    if ((await stat(path)).isDirectory()) {
      const inside = join(path, `${task.name}.csv`);
      if ((await stat(inside).catch(() => undefined))?.isFile()) return inside;
    }
  } catch {
    // Not readable: importCases reports it with the path.
  }
  return undefined;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

async function readCsvTable(path: string, file: string, task: TaskDefinition): Promise<FeatureTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read (${(error as Error).message})`);
  }
  const records = parseCsv(text, file);
  const header = records.shift();
  if (!header) throw new InputError(`${file}: empty, expected a header row`);
  const features = task.table.features;
  const missing = features.filter((f) => !header.includes(f));
  if (missing.length > 0) {
    throw new InputError(
      `${file}: not a ${task.name} table: no column ${missing.join(', ')} (expected the layout of clinsim generate --task ${task.name} --format csv; wrong --task?)`,
    );
  }
  records.forEach((row, i) => {
    if (row.length !== header.length) throw new InputError(`${file}: row ${i + 2} has ${row.length} fields for ${header.length} columns`);
  });
  const textual = textColumns(task);
  const columns = new Map<string, FeatureValue[]>();
  for (const f of features) {
    const at = header.indexOf(f);
    const categorical = textual.has(f);
    columns.set(
      f,
      records.map((row) => {
        const field = row[at]!;
        if (field === '') return null;
        return !categorical && NUMBER.test(field) ? Number(field) : field;
      }),
    );
  }
  return { path, format: 'csv', rows: records.length, columns };
}

/** Columns the task's generator fills with text, from the view of a few generated patients. */
function textColumns(task: TaskDefinition): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < 32; i++) {
    const cells = task.table.featuresOf(task.generate({ seed: 1 }, i).bundle);
    cells.forEach((cell, j) => {
      if (typeof cell === 'string') out.add(task.table.features[j]!);
    });
  }
  return out;
}

/**
 * RFC 4180 fields: comma separated, optionally double-quoted (a doubled quote inside is a quote),
 * records ended by LF or CRLF; a final line end is optional. Blank lines are skipped.
 */
export function parseCsv(text: string, file = 'CSV'): string[][] {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '')) records.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new InputError(`${file}: line ${line}: a quote inside an unquoted field`);
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      endRow();
      line++;
    } else field += ch;
    i++;
  }
  if (quoted) throw new InputError(`${file}: line ${line}: a quoted field is not closed`);
  if (field !== '' || row.length > 0) endRow();
  return records;
}
