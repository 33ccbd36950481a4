/**
 * `clinsim run` killed with SIGKILL at several points (before any record, part way through the
 * first of two scenarios, part way through the second, and again while resuming), or stopped with
 * Ctrl-C, then `--resume`d: the journal must hold every call exactly once and report.json must
 * equal that of a run never interrupted (resume-fixtures.ts `comparable` says what is excluded:
 * run id and times, and measured latency).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../simulator/run/manifest.ts';
import { ARMS, comparable, journalCounts, readReport, scenarioFile } from '../integration/resume-fixtures.ts';
import { clinsim } from './cli.ts';

const BIN = fileURLToPath(new URL('../../bin/clinsim.js', import.meta.url));
/** Scenario A: 60 cases × 4 arms × 2 repeats; B: 80 cases × 2 arms. */
const A_RECORDS = 60 * 4 * 2;
const B_RECORDS = 80 * 2;
const TOTAL = A_RECORDS + B_RECORDS;

/** The first call of each process waits, so a kill "before any record" lands before one. */
function slowStart(source: string): string {
  return source
    .replace("import { defineScenario", 'let started = false;\nimport { defineScenario')
    .replace('predict: async (input) => {', 'predict: async (input) => {\n      if (!started) { started = true; await new Promise((r) => setTimeout(r, 400)); }');
}

interface Running {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(args: readonly string[], cwd: string): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    }),
  );
  return { child, exit };
}

async function lines(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Polls (bounded in time) until the condition holds. */
async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the run');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts args, kills the process with SIGKILL once the journal has `records` lines (0: once the manifest exists). */
async function killAt(args: readonly string[], cwd: string, runDir: string, records: number): Promise<number> {
  const run = start(args, cwd);
  const journal = join(runDir, 'results.jsonl');
  await until(async () =>
    records === 0 ? (await stat(join(runDir, 'manifest.json')).catch(() => null)) !== null : (await lines(journal)) >= records,
  );
  run.child.kill('SIGKILL');
  const { signal } = await run.exit;
  expect(signal).toBe('SIGKILL');
  return lines(journal);
}

describe('clinsim run --resume, after SIGKILL and Ctrl-C', () => {
  let dir: string;
  let files: string[];
  let reference: unknown;
  let referenceCounts: Record<string, number>;
  let referenceHashes: (string | null)[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-resume-e2e-'));
    files = [join(dir, 'a.scenario.ts'), join(dir, 'b.scenario.ts')];
    await writeFile(files[0]!, slowStart(scenarioFile({ name: 'a', size: 60, seed: 3, repeats: 2, delayMs: 8, arms: ARMS })));
    await writeFile(files[1]!, slowStart(scenarioFile({ name: 'b', size: 80, seed: 4, delayMs: 25, arms: [ARMS[1]!] })));
    const out = join(dir, 'reference');
    const result = await clinsim(['run', ...files, '--out', out, '--resamples', '200', '--quiet'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    reference = comparable(await readReport(join(out, 'report.json')));
    const counts = await journalCounts(join(out, 'results.jsonl'));
    expect(counts.total).toBe(TOTAL);
    referenceCounts = counts.perArm;
    referenceHashes = (await readManifest(join(out, 'manifest.json'))).scenarios.map((s) => s.cohortHash);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const runArgs = (out: string) => ['run', ...files, '--out', out, '--resamples', '200', '--quiet'];

  async function resumeAndCompare(out: string, resumes = 1): Promise<void> {
    const resumed = await clinsim(['run', '--resume', out, '--quiet'], { cwd: dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const counts = await journalCounts(join(out, 'results.jsonl'));
    expect(counts.duplicates).toEqual([]);
    expect(counts.perArm).toEqual(referenceCounts);
    expect(comparable(await readReport(join(out, 'report.json')))).toEqual(reference);
    const manifest = await readManifest(join(out, 'manifest.json'));
    expect(manifest.status).toBe('complete');
    expect(manifest.resumedAt).toHaveLength(resumes);
    expect(manifest.scenarios.map((s) => s.cohortHash)).toEqual(referenceHashes);
    expect(manifest.scenarios.map((s) => s.cases)).toEqual([60, 80]);
  }

  it('resumes a run killed before its first record', async () => {
    const out = join(dir, 'k0');
    expect(await killAt(runArgs(out), dir, out, 0)).toBe(0);
    expect((await readManifest(join(out, 'manifest.json'))).status).toBe('running');
    await resumeAndCompare(out);
  }, 120_000);

  it('resumes a run killed part way through its first scenario, with a torn last line', async () => {
    const out = join(dir, 'k150');
    const atKill = await killAt(runArgs(out), dir, out, 150);
    expect(atKill).toBeLessThan(A_RECORDS);
    // As if the kill had cut a write in the middle of a line.
    await appendFile(join(out, 'results.jsonl'), '{"scenario":"a","arm":"baseline","case":');
    await resumeAndCompare(out);
  }, 120_000);

  it('resumes a run killed part way through its second scenario, and again while resuming', async () => {
    const out = join(dir, 'k520');
    const atKill = await killAt(runArgs(out), dir, out, A_RECORDS + 40);
    expect(atKill).toBeLessThan(TOTAL);
    const again = await killAt(['run', '--resume', out, '--quiet'], dir, out, atKill + 40);
    expect(again).toBeLessThan(TOTAL);
    await resumeAndCompare(out, 2);
  }, 120_000);

  it('stops cleanly on Ctrl-C, prints the resume command, and refuses to resume a changed scenario', async () => {
    const out = join(dir, 'sigint');
    const run = start(runArgs(out), dir);
    await until(async () => (await lines(join(out, 'results.jsonl'))) >= 100);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exit;
    expect(code).toBe(3);
    expect(stderr).toContain(`no report was written). Resume with:\n  npx clinsim run --resume ${out}\n`);
    expect((await readManifest(join(out, 'manifest.json'))).status).toBe('interrupted');
    // Only whole cases: every case in the journal has all of its records (a: 4 arms × 2 repeats, b: 2 arms).
    const perCase = new Map<string, number>();
    for (const line of (await readFile(join(out, 'results.jsonl'), 'utf8')).split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { scenario: string; case: number };
      perCase.set(`${r.scenario}/${r.case}`, (perCase.get(`${r.scenario}/${r.case}`) ?? 0) + 1);
    }
    expect(perCase.size).toBeGreaterThan(0);
    for (const [key, n] of perCase) expect([key, n]).toEqual([key, key.startsWith('a/') ? 8 : 2]);

    const original = await readFile(files[1]!, 'utf8');
    await writeFile(files[1]!, original + '// edited\n');
    const refused = await clinsim(['run', '--resume', out], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${files[1]}: the scenario file changed since the run started`);
    await writeFile(files[1]!, original);

    await resumeAndCompare(out);
    const again = await clinsim(['run', '--resume', out], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('the run is already complete');
  }, 120_000);

  it('answers --resume misuse with exit 2', async () => {
    const withFlags = await clinsim(['run', '--resume', join(dir, 'reference'), '--seed', '5', files[0]!], { cwd: dir });
    expect(withFlags.code).toBe(2);
    expect(withFlags.stderr).toContain(`drop ${files[0]}, --seed`);
    const nowhere = await clinsim(['run', '--resume', join(dir, 'nowhere')], { cwd: dir });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('no such run folder');
  }, 120_000);
});
