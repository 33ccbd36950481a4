import { describe, expect, it } from 'vitest';
import { formatEta, progressBar, progressLine, progressReporter, type ProgressStream } from '../../simulator/cli/progress.ts';

function fakeStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

const event = (casesDone: number, failedCalls = 0) => ({ scenario: 'sepsis-shift', casesDone, casesTotal: 200, failedCalls });

describe('progress', () => {
  it('draws a bar proportional to the cases done', () => {
    expect(progressBar(0, 200, 10)).toBe('[----------]');
    expect(progressBar(100, 200, 10)).toBe('[#####-----]');
    expect(progressBar(200, 200, 10)).toBe('[##########]');
    expect(progressBar(5, 0, 4)).toBe('[----]');
  });

  it('formats the ETA in seconds, minutes or hours', () => {
    expect(formatEta(41.2)).toBe('42s');
    expect(formatEta(185)).toBe('3m05s');
    expect(formatEta(3720)).toBe('1h02m');
    expect(formatEta(NaN)).toBe('—');
  });

  it('says cases done of total, rate, ETA and failed calls', () => {
    expect(progressLine(event(50, 3), 10, false)).toBe('sepsis-shift: 50/200 cases (25%) · 5/s · ETA 30s · failed calls 3');
  });

  it('redraws one line in place in a terminal, at most every 100 ms, and ends it when the scenario completes', () => {
    let t = 0;
    const stream = fakeStream(true);
    const progress = progressReporter(stream, { quiet: false, now: () => t });
    progress.update(event(0));
    t = 50;
    progress.update(event(10)); // within 100 ms of the last draw: skipped
    t = 1000;
    progress.update(event(100, 1));
    t = 2000;
    progress.update(event(200, 1));
    progress.finish();
    const text = stream.text();
    expect(text.split('\r\x1b[2K')).toHaveLength(4);
    expect(text).not.toContain(' 10/200');
    expect(text).toContain('sepsis-shift [############------------] 100/200 cases (50%) · 100/s · ETA 1s · failed calls 1');
    expect(text.endsWith('200/200 cases (100%) · 100/s · ETA 0s · failed calls 1\n')).toBe(true);
  });

  it('writes a plain line every five seconds outside a terminal, and the final one', () => {
    let t = 0;
    const stream = fakeStream(false);
    const progress = progressReporter(stream, { quiet: false, now: () => t });
    for (let done = 0; done <= 200; done += 10) {
      progress.update(event(done));
      t += 1000;
    }
    const lines = stream.text().trimEnd().split('\n');
    expect(lines).toEqual([
      'sepsis-shift: 0/200 cases (0%) · 0/s · ETA — · failed calls 0',
      'sepsis-shift: 50/200 cases (25%) · 10/s · ETA 15s · failed calls 0',
      'sepsis-shift: 100/200 cases (50%) · 10/s · ETA 10s · failed calls 0',
      'sepsis-shift: 150/200 cases (75%) · 10/s · ETA 5s · failed calls 0',
      'sepsis-shift: 200/200 cases (100%) · 10/s · ETA 0s · failed calls 0',
    ]);
    expect(stream.text()).not.toContain('\r');
  });

  it('writes nothing with --quiet', () => {
    const stream = fakeStream(true);
    const progress = progressReporter(stream, { quiet: true });
    progress.update(event(200));
    progress.finish();
    expect(stream.text()).toBe('');
  });
});
