/**
 * A reference model as the tabular protocol routes (kserve-v2.ts, mlflow.ts) see it: named numeric
 * inputs, one row per case, a score and a label per row. The routes validate the wire format and
 * the rows; the model only ever scores rows that passed `rowsOf`.
 */

/** One validated row: every input present, null where the value is missing. */
export type TabularRow = Readonly<Record<string, number | null>>;

export interface TabularModel {
  /** The name in URLs, e.g. `sepsis` (`/v2/models/sepsis`). */
  readonly name: string;
  readonly version: string;
  /** Input names, in the model's order. Every input is a number (FP64) or missing (null). */
  readonly inputs: readonly string[];
  /** Why `value` cannot be the cell of `input` (beyond being a finite number or null), or undefined. */
  cellProblem(input: string, value: number): string | undefined;
  score(row: TabularRow): { readonly score: number; readonly label: 0 | 1 };
}

/** Most rows one request may carry. */
export const MAX_ROWS = 1000;

/**
 * The rows of a column-named table after checking it against the model's inputs: the columns must
 * be exactly the inputs (any order, no duplicates) and every cell a finite number or null that the
 * model accepts. A string problem names the first thing wrong.
 */
export function rowsOf(model: TabularModel, columns: readonly string[], cells: readonly (readonly unknown[])[]): TabularRow[] | string {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) return `column "${column.slice(0, 60)}" appears twice`;
    seen.add(column);
  }
  const missing = model.inputs.filter((name) => !seen.has(name));
  const unknown = columns.filter((c) => !model.inputs.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`missing inputs: ${missing.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`unknown inputs: ${unknown.slice(0, 8).map((u) => u.slice(0, 60)).join(', ')}`] : []),
    ];
    return `the model's inputs are ${model.inputs.join(', ')}; ${parts.join('; ')}`;
  }
  if (cells.length === 0) return 'no rows';
  if (cells.length > MAX_ROWS) return `${cells.length} rows; at most ${MAX_ROWS} per request`;
  const rows: TabularRow[] = [];
  for (const [r, values] of cells.entries()) {
    if (values.length !== columns.length) return `row ${r} has ${values.length} values for ${columns.length} columns`;
    const row: Record<string, number | null> = {};
    for (const [i, column] of columns.entries()) {
      const value = values[i];
      if (value === null) {
        row[column] = null;
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) return `row ${r}, ${column}: must be a finite number or null`;
      const problem = model.cellProblem(column, value);
      if (problem) return `row ${r}, ${column}: ${problem}`;
      row[column] = value;
    }
    rows.push(row);
  }
  return rows;
}

/** `application/json`, optionally with `charset=utf-8`: the one media type the tabular routes take. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  return type === 'application/json' && params.every((p) => p === '' || p === 'charset=utf-8');
}
