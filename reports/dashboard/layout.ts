import { TOOL_VERSION } from '../../simulator/version.ts';
import { html, trusted, type SafeHtml } from './html.ts';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
header { background: #1f3a5f; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header .brand { font-size: 16px; }
main { padding: 16px 24px 40px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
table { border-collapse: collapse; background: #fff; margin: 8px 0; }
th, td { border: 1px solid #d8dde3; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status, .verdict { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; }
.status-complete { background: #e3eefc; color: #1f3a5f; }
.status-running { background: #fff4d6; color: #7a5a00; }
.status-interrupted, .status-failed, .status-unreadable { background: #fde2e1; color: #8a1c17; }
.verdict-passed { background: #dcf3e3; color: #135c2b; }
.verdict-failed { background: #fde2e1; color: #8a1c17; }
.problem { color: #8a1c17; font-size: 12px; }
.note { color: #555; }
form.controls { background: #fff; border: 1px solid #d8dde3; padding: 8px 12px; display: flex; flex-wrap: wrap; gap: 16px; align-items: end; }
form.controls fieldset { border: 0; margin: 0; padding: 0; }
figure.trend { background: #fff; border: 1px solid #d8dde3; margin: 12px 0; padding: 8px; display: inline-block; }
pre { background: #fff; border: 1px solid #d8dde3; padding: 8px; overflow-x: auto; }
`;

/** A complete page. No script anywhere: the CSP (security-headers.ts) forbids it. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · clinsim</title>
<link rel="icon" href="data:,">
<style>${trusted(STYLE)}</style>
</head>
<body>
<header><span class="brand">clinsim ${TOOL_VERSION}</span><a href="/">Runs</a><a href="/trends">Trends</a></header>
<main>
${body}
</main>
</body>
</html>
`.value;
}
