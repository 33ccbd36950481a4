import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinsim } from './cli.ts';

const SCENARIOS = ['sepsis-shift', 'note-triage'].map((n) => fileURLToPath(new URL(`../../scenarios/${n}.scenario.ts`, import.meta.url)));
const RENDERED = ['report.json', 'report.html', 'summary.md', 'junit.xml'];

describe('clinsim report, as a user runs it', () => {
  let dir: string;
  let run: string;
  let runCode: number | null;
  const written = new Map<string, Buffer>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-report-'));
    run = join(dir, 'run');
    const result = await clinsim(['run', ...SCENARIOS, '--size', '80', '--resamples', '50', '--out', run, '--quiet'], { cwd: dir });
    expect(result.stderr).not.toMatch(/could not run/);
    runCode = result.code;
    for (const file of RENDERED) written.set(file, await readFile(join(run, file)));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the run folder with one file replaced or appended to. */
  async function variant(name: string, change: (folder: string) => Promise<void>): Promise<string> {
    const folder = join(dir, name);
    await cp(run, folder, { recursive: true });
    await change(folder);
    return folder;
  }

  it('renders the same bytes the run wrote, with the run’s own resamples, and exits with the verdict', async () => {
    // The reference models' documented flaws fail gates: the run exits 1, and so does its report.
    expect(runCode).toBe(1);
    expect(written.get('report.html')!.toString()).toContain('<figure class="chart" data-chart="roc">');
    for (const file of RENDERED) await rm(join(run, file));
    const result = await clinsim(['report', run], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('verdict: FAILED');
    expect(result.stdout).toContain(`rendered in ${run}: report.json  summary.md  junit.xml  report.html`);
    for (const file of RENDERED) expect((await readFile(join(run, file))).equals(written.get(file)!), file).toBe(true);
  });

  it('answers what is not a finished run folder with exit 2 and what is wrong', async () => {
    const missing = await clinsim(['report', join(dir, 'nowhere')]);
    expect([missing.code, missing.stderr]).toEqual([2, `clinsim report: ${join(dir, 'nowhere')}: no such folder\n`]);

    const empty = join(dir, 'empty');
    await mkdir(empty);
    const notRun = await clinsim(['report', empty]);
    expect([notRun.code, notRun.stderr]).toEqual([2, `clinsim report: ${empty}: not a run folder (no manifest.json)\n`]);

    const manifest = JSON.parse(await readFile(join(run, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const invalid = await variant('invalid', (f) => writeFile(join(f, 'manifest.json'), JSON.stringify({ ...manifest, status: 'done' })));
    const bad = await clinsim(['report', invalid]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^clinsim report: invalid manifest: .*manifest\.json: status: /);

    const interrupted = await variant('interrupted', (f) => writeFile(join(f, 'manifest.json'), JSON.stringify({ ...manifest, status: 'interrupted' })));
    const partial = await clinsim(['report', interrupted]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('the run was interrupted; its journal holds only part of the cases, so no report is rendered');
    expect(partial.stderr).toContain(`clinsim run --resume ${interrupted}`);

    const torn = await variant('torn', (f) => appendFile(join(f, 'results.jsonl'), '{"scenario": "sepsis-shift", "arm"'));
    const malformed = await clinsim(['report', torn]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/results\.jsonl:\d+: not valid JSON/);

    const usage = await clinsim(['report']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give one run folder');
  });
});
