import { html, type SafeHtml } from './html.ts';
import type { RunEntry } from './run-index.ts';

/** `2026-01-01 02:00:00 UTC`; a timestamp that does not parse is shown as written. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function statusBadge(status: RunEntry['status']): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}

export function verdictBadge(passed: boolean | null): SafeHtml {
  if (passed === null) return html`<span class="note">no report</span>`;
  return passed ? html`<span class="verdict verdict-passed">passed</span>` : html`<span class="verdict verdict-failed">failed</span>`;
}

/** The path of a run's page; ids match RUN_ID, so they need no encoding beyond the escaping of html``. */
export function runHref(id: string, file = ''): string {
  return `/runs/${encodeURIComponent(id)}/${file}`;
}

export function trendsHref(scenario: string, metric?: string): string {
  const query = new URLSearchParams({ scenario, ...(metric === undefined ? {} : { metric }) });
  return `/trends?${query.toString()}`;
}
