import type { ProgressEvent } from '../run/execute.ts';

export interface ProgressReporter {
  update(event: ProgressEvent): void;
  finish(): void;
}

/**
 * Progress on stderr: in a terminal one line redrawn in place (at most ten times a second);
 * elsewhere (CI logs) a plain line every few seconds and one when a scenario completes.
 */
export function progressReporter(stream: NodeJS.WriteStream, options: { quiet: boolean }): ProgressReporter {
  if (options.quiet) return { update: () => undefined, finish: () => undefined };
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : 5_000;
  const started = new Map<string, number>();
  let last = 0;
  let drawn = false;

  const line = (e: ProgressEvent): string => {
    const t0 = started.get(e.scenario)!;
    const seconds = (performance.now() - t0) / 1000;
    const rate = seconds > 0 ? e.casesDone / seconds : 0;
    const eta = rate > 0 ? Math.ceil((e.casesTotal - e.casesDone) / rate) : NaN;
    const pctDone = ((100 * e.casesDone) / e.casesTotal).toFixed(0);
    return `${e.scenario}: ${e.casesDone}/${e.casesTotal} cases (${pctDone}%) · ${rate.toFixed(0)}/s · ETA ${Number.isFinite(eta) ? `${eta}s` : '—'} · failed calls ${e.failedCalls}`;
  };

  return {
    update(e) {
      if (!started.has(e.scenario)) started.set(e.scenario, performance.now());
      const now = performance.now();
      const complete = e.casesDone === e.casesTotal;
      if (!complete && now - last < interval) return;
      last = now;
      if (tty) {
        stream.write(`\r\x1b[2K${line(e)}`);
        drawn = true;
        if (complete) {
          stream.write('\n');
          drawn = false;
        }
      } else {
        stream.write(`${line(e)}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
