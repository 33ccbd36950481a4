import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Case } from '../case.ts';
import type { Cell, TabularView } from './task.ts';

/**
 * CSV for a task's tabular view (`clinsim generate --format csv`).
 *
 * Format (RFC 4180 with LF line ends): a header row, then one row per case; fields separated by
 * commas; a field is quoted with double quotes when it contains a comma, a double quote, CR or LF,
 * or begins or ends with a space, and a double quote inside it is doubled. Cells: null (missing) is
 * the empty field; numbers are printed with JavaScript's `String(n)` (shortest round-trip form, so
 * `0.1` stays `0.1` and a reader gets back the same double; non-finite numbers are missing);
 * strings as they are. Every row ends with `\n`, including the last. The same cases give the same
 * bytes.
 */

/** Column names of a view: `case`, the features, then the truth columns. */
export function tableHeader(view: TabularView): string[] {
  return ['case', ...view.features, ...view.truth];
}

/** The cells of one case's row, in `tableHeader` order. */
export function tableCells(view: TabularView, c: Case): Cell[] {
  return [c.index, ...view.featuresOf(c.bundle), ...view.truthOf(c.truth)];
}

const NEEDS_QUOTES = /[",\r\n]|^ | $/;

function field(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  return NEEDS_QUOTES.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** One CSV row, terminated by LF. Pure. */
export function csvRow(cells: readonly (Cell | undefined)[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ',';
    out += field(cells[i]);
  }
  return `${out}\n`;
}

/** Rows are joined into chunks of about this many characters before they are written. */
const CHUNK = 64 * 1024;

async function* chunks(
  header: readonly string[],
  rows: Iterable<readonly Cell[]> | AsyncIterable<readonly Cell[]>,
  counter: { rows: number },
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  let buffer = csvRow(header);
  for await (const row of rows) {
    signal?.throwIfAborted();
    if (row.length !== header.length) {
      throw new RangeError(`CSV row ${counter.rows + 1} has ${row.length} cells for ${header.length} columns`);
    }
    buffer += csvRow(row);
    counter.rows++;
    if (buffer.length >= CHUNK) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}

/**
 * Streams a header and rows to a CSV file (created or truncated). Rows are pulled one at a time
 * and written with backpressure, so memory does not grow with the number of rows; a row with the
 * wrong number of cells is a RangeError. Resolves with the number of data rows written.
 */
export async function writeCsvFile(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly Cell[]> | AsyncIterable<readonly Cell[]>,
  signal?: AbortSignal,
): Promise<number> {
  const counter = { rows: 0 };
  await pipeline(Readable.from(chunks(header, rows, counter, signal), { objectMode: false }), createWriteStream(path), signal ? { signal } : {});
  return counter.rows;
}

/** Streams cases' rows of a view to a CSV file; resolves with the number of rows written. */
export async function writeCasesCsv(
  path: string,
  view: TabularView,
  cases: Iterable<Case> | AsyncIterable<Case>,
  signal?: AbortSignal,
): Promise<number> {
  async function* rows(): AsyncGenerator<Cell[]> {
    for await (const c of cases) yield tableCells(view, c);
  }
  return writeCsvFile(path, tableHeader(view), rows(), signal);
}
