/**
 * The dashboard's HTML: the escaping template of report.html (reports/html/escape.ts), so both pages
 * escape by one rule. Run folders are user data (scenario and arm names, error texts), so escaping
 * is the default and trusting a fragment is the explicit act.
 */
import { Html } from '../html/escape.ts';

export { escapeHtml, html, Html as SafeHtml } from '../html/escape.ts';

/** Trusts markup produced elsewhere (the dashboard's style sheet, the SVG of a chart rendered by vega, which escapes its own text). */
export function trusted(markup: string): Html {
  return new Html(markup);
}
