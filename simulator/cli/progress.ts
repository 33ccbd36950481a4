import type { ProgressEvent } from '../run/execute.ts';

export interface ProgressReporter {
  update(event: ProgressEvent): void;
  finish(): void;
}

export interface ProgressOptions {
  readonly quiet: boolean;
  /** Milliseconds on a monotonic clock; injectable for tests. */
  readonly now?: () => number;
}

/** What a progress writer needs of a stream: writes, and whether it is a terminal. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;
const TTY_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 5_000;

/** `[#########---------]`: the share of cases done. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.min(width, Math.floor((width * done) / total)) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** Seconds as `42s`, `3m05s` or `1h02m`. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One status line: cases done of total, rate, ETA and failed calls so far. */
export function progressLine(e: ProgressEvent, elapsedSeconds: number, bar: boolean): string {
  const rate = elapsedSeconds > 0 ? e.casesDone / elapsedSeconds : 0;
  const eta = rate > 0 ? (e.casesTotal - e.casesDone) / rate : NaN;
  const percent = e.casesTotal > 0 ? Math.floor((100 * e.casesDone) / e.casesTotal) : 100;
  const head = bar ? `${e.scenario} ${progressBar(e.casesDone, e.casesTotal)}` : `${e.scenario}:`;
  return `${head} ${e.casesDone}/${e.casesTotal} cases (${percent}%) · ${rate.toFixed(0)}/s · ETA ${formatEta(eta)} · failed calls ${e.failedCalls}`;
}

/**
 * Progress on stderr: in a terminal a bar redrawn in place (at most ten times a second);
 * elsewhere (CI logs) a plain line every few seconds and one when a scenario completes.
 */
export function progressReporter(stream: ProgressStream, options: ProgressOptions): ProgressReporter {
  if (options.quiet) return { update: () => undefined, finish: () => undefined };
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const interval = tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
  const started = new Map<string, number>();
  let last = -Infinity;
  let drawn = false;

  return {
    update(e) {
      const t = now();
      if (!started.has(e.scenario)) started.set(e.scenario, t);
      const complete = e.casesDone === e.casesTotal;
      if (!complete && t - last < interval) return;
      last = t;
      const line = progressLine(e, (t - started.get(e.scenario)!) / 1000, tty);
      if (!tty) {
        stream.write(`${line}\n`);
        return;
      }
      stream.write(`\r\x1b[2K${line}`);
      drawn = !complete;
      if (complete) stream.write('\n');
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
