/**
 * The page shell of report.html: one self-contained document. No script, no external font, style
 * sheet or image; the Content-Security-Policy allows inline styles and data: images only, so even
 * markup that escaped escaping could neither run script nor load anything.
 */
import { Html, html } from './escape.ts';
import { CHART_FONT } from './text-metrics.ts';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { --pass: #1b7a3a; --fail: #b3261e; --muted: #5f6368; --line: #dadce0; --mark: #ffe08a; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font-family: ${CHART_FONT}; color: #202124; margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 40px 0 8px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 17px; margin: 28px 0 8px; }
h4 { font-size: 15px; margin: 20px 0 6px; }
p.lead, .muted { color: var(--muted); }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 12px 0 0; }
a { color: #1a56b0; }
.verdict { border-radius: 8px; padding: 14px 18px; margin: 16px 0; color: #fff; font-size: 18px; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.badge { display: inline-block; border-radius: 4px; padding: 0 7px; font-size: 12px; font-weight: bold; color: #fff; }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.badge.info { background: var(--muted); }
.badge.critical { background: var(--fail); }
.badge.major { background: #c26401; }
.badge.minor { background: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 10px 5px 0; text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; padding-left: 10px; }
tr.fail td { color: var(--fail); }
.scroll { overflow-x: auto; }
figure.chart { margin: 18px 0 26px; }
figure.chart figcaption { max-width: 760px; margin-bottom: 8px; font-size: 14px; }
figure.chart .svg { overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 8px 0; background: #fff; }
details[open] { padding-bottom: 12px; }
summary { cursor: pointer; }
.case { border-left: 4px solid var(--line); padding: 4px 0 4px 14px; margin: 14px 0; }
.case.critical { border-color: var(--fail); }
.case.major { border-color: #c26401; }
.case dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 6px 0; }
.case dt { color: var(--muted); }
.case dd { margin: 0; }
pre, .note { white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; background: var(--soft); border-radius: 4px; padding: 8px 10px; margin: 4px 0; max-height: 28em; overflow-y: auto; }
mark { background: var(--mark); outline: 1px solid #e0b000; }
.gap { color: var(--muted); }
.principle { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 10px; margin: 12px 0; }
.principle h3 { margin-top: 12px; }
ul.evidence { margin: 6px 0; padding-left: 20px; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
`;

// The style sheet is a constant of this file, not text from a run: inserted as it is.
const STYLE_HTML = new Html(STYLE);

export interface PageParts {
  readonly title: string;
  readonly body: Html;
}

export function renderPage({ title, body }: PageParts): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE_HTML}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}
