/**
 * The one escaping rule of report.html. Every piece of text that goes into the page passes through
 * `escapeHtml` unless it is already an `Html` value. `Html` values are made by the `html` template
 * and `joinHtml` below (which escape what they are given), by `trustedSvg` (charts rendered by
 * vega, which escapes the data it writes) and, once, for the page's own style sheet. So notes,
 * model answers, error bodies, arm names and subgroup values reach the page as text, whatever
 * they contain.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text as HTML text or attribute content (quoted attributes): &, <, >, quotes and backtick escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** A fragment of markup that is safe to insert as it is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate: text (escaped), numbers, true, markup, lists of those, or nothing (null, undefined, false). */
export type Interpolation = string | number | boolean | Html | null | undefined | readonly Interpolation[];

function render(part: Interpolation): string {
  // null, undefined and false render as nothing, so `${cond && html`…`}` reads naturally.
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (typeof part === 'number' || typeof part === 'boolean') return escapeHtml(String(part));
  if (typeof part === 'string') return escapeHtml(part);
  return part.map(render).join('');
}

/** Tagged template: the literal parts are markup, every interpolation is escaped unless it is Html. */
export function html(strings: TemplateStringsArray, ...parts: readonly Interpolation[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < parts.length; i++) out += render(parts[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Joins fragments (each escaped unless it is Html) with a separator of markup. */
export function joinHtml(parts: readonly Interpolation[], separator = ''): Html {
  return new Html(parts.map(render).join(separator));
}

/**
 * An SVG document produced by the chart renderer. In report.html only reports/html/svg.ts calls this
 * (the dashboard trusts its charts through reports/dashboard/html.ts): vega writes
 * text and attribute values escaped, which the report tests check with script payloads as data.
 */
export function trustedSvg(svg: string): Html {
  return new Html(svg);
}
