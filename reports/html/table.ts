/** A plain HTML table; every cell is text (escaped) or markup built with `html`. */
import { html, type Html, type Interpolation } from './escape.ts';

export interface Column {
  readonly title: string;
  /** Right-aligned tabular figures. */
  readonly numeric?: boolean;
}

export function table(columns: readonly Column[], rows: readonly (readonly Interpolation[])[], rowClass?: (row: number) => string | null): Html {
  const cls = (c: Column) => (c.numeric ? 'num' : null);
  return html`<div class="scroll"><table>
<thead><tr>${columns.map((c) => html`<th class="${cls(c)}">${c.title}</th>`)}</tr></thead>
<tbody>
${rows.map((row, r) => html`<tr class="${rowClass?.(r) ?? null}">${row.map((cell, i) => html`<td class="${cls(columns[i] ?? { title: '' })}">${cell}</td>`)}</tr>\n`)}</tbody></table></div>`;
}
