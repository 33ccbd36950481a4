/**
 * A run in 3 shards (one of them indexed the Kubernetes way, by JOB_COMPLETION_INDEX), merged,
 * against the same run unsharded: report.json must be equal on every metric and count (what
 * resume-fixtures.ts `comparable` excludes: run id and times, measured latency, load timings), and
 * the journal must hold the same calls. Then folders that are not the shards of one run are refused.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLoadFile } from '../../simulator/run/load-file.ts';
import { readManifest, writeManifest } from '../../simulator/run/manifest.ts';
import { ARMS, comparable, journalCounts, readReport, scenarioFile } from '../integration/resume-fixtures.ts';
import { clinsim } from './cli.ts';

const LOAD = "{ name: 'steady', executor: 'constant-arrival-rate', rate: 30, duration: '1s' }";

describe('clinsim run --shard and clinsim merge', () => {
  let dir: string;
  let files: string[];
  const shardDirs = [1, 2, 3].map((i) => `shard-${i}`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-shards-'));
    files = [join(dir, 'a.scenario.ts'), join(dir, 'b.scenario.ts')];
    await writeFile(files[0]!, scenarioFile({ name: 'a', size: 45, seed: 11, repeats: 2, delayMs: 1, arms: ARMS }));
    await writeFile(files[1]!, scenarioFile({ name: 'b', size: 31, seed: 12, delayMs: 1, arms: [ARMS[1]!], load: LOAD }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const common = () => [...files, '--resamples', '200', '--quiet'];

  it('merges 3 shards into the report the unsharded run gives', async () => {
    const [full, ...shards] = await Promise.all([
      clinsim(['run', ...common(), '--out', 'full'], { cwd: dir }),
      clinsim(['run', ...common(), '--shard', '1/3', '--out', shardDirs[0]!], { cwd: dir }),
      clinsim(['run', ...common(), '--shards', '3', '--out', shardDirs[1]!], { cwd: dir, env: { JOB_COMPLETION_INDEX: '1' } }),
      clinsim(['run', ...common(), '--shard', '3/3', '--out', shardDirs[2]!], { cwd: dir }),
    ]);
    expect(full!.code).toBe(0);
    for (const [i, shard] of shards.entries()) {
      expect(shard.stderr).toBe('');
      expect(shard.code).toBe(0);
      expect(shard.stdout).toContain(`shard ${i + 1}/3 complete (cases: a 15, b ${[11, 10, 10][i]})`);
      // A shard writes no report: the gates are judged on the whole run.
      expect((await readdir(join(dir, shardDirs[i]!))).sort()).toEqual(['load.json', 'manifest.json', 'results.jsonl']);
    }

    // Every shard hashed the whole cohort, so all agree with the unsharded run.
    const fullManifest = await readManifest(join(dir, 'full', 'manifest.json'));
    for (const s of shardDirs) {
      const m = await readManifest(join(dir, s, 'manifest.json'));
      expect(m.scenarios.map((x) => x.cohortHash)).toEqual(fullManifest.scenarios.map((x) => x.cohortHash));
    }
    // Each shard offered a third of the load phase's rate.
    const shardLoads = await Promise.all(shardDirs.map(async (s) => (await readLoadFile(join(dir, s, 'load.json'))).get('b')![0]!));
    expect(shardLoads.map((p) => p.requests)).toEqual([10, 10, 10]);
    expect(shardLoads.map((p) => (p.config.shard as { config: { ratePerSecond: number } }).config.ratePerSecond)).toEqual([10, 10, 10]);

    const merged = await clinsim(['merge', ...shardDirs, '--out', 'merged'], { cwd: dir });
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain('verdict: PASSED');
    expect(merged.stdout).toContain('merged 3 shards into merged');

    const fullReport = await readReport(join(dir, 'full', 'report.json'));
    const mergedReport = await readReport(join(dir, 'merged', 'report.json'));
    expect(comparable(mergedReport)).toEqual(comparable(fullReport));
    // The load phase: the merged figures count every shard's requests, as the unsharded run did.
    const load = (r: typeof fullReport) => r.scenarios.find((s) => s.name === 'b')!.load[0]!;
    expect(load(mergedReport).requests).toBe(load(fullReport).requests);
    expect(load(mergedReport).errors).toEqual(load(fullReport).errors);

    const fullCounts = await journalCounts(join(dir, 'full', 'results.jsonl'));
    const mergedCounts = await journalCounts(join(dir, 'merged', 'results.jsonl'));
    expect(mergedCounts.duplicates).toEqual([]);
    expect(mergedCounts.perArm).toEqual(fullCounts.perArm);
    const manifest = await readManifest(join(dir, 'merged', 'manifest.json'));
    expect(manifest.status).toBe('complete');
    expect(manifest.shard).toBeNull();
    expect(manifest.scenarios.map((s) => [s.cases, s.cohortHash])).toEqual(fullManifest.scenarios.map((s) => [s.cases, s.cohortHash]));
    expect(manifest.mergedFrom!.map((m) => m.shard.index)).toEqual([1, 2, 3]);
    // Nothing is left beside the merged folder.
    expect((await readdir(dir)).filter((n) => n.includes('merging'))).toEqual([]);
  }, 180_000);

  it('renders a merged folder again with the --resamples the merge used', async () => {
    // Other than the shards' 200: the merged folder has no invocation to take them from.
    const merged = await clinsim(['merge', ...shardDirs, '--out', 'merged-150', '--resamples', '150'], { cwd: dir });
    expect(merged.code).toBe(0);
    expect((await readManifest(join(dir, 'merged-150', 'manifest.json'))).mergedResamples).toBe(150);
    const path = join(dir, 'merged-150', 'report.json');
    const written = await readFile(path);
    await rm(path);
    const again = await clinsim(['report', 'merged-150', '--quiet'], { cwd: dir });
    expect(again.code).toBe(0);
    expect((await readFile(path)).equals(written)).toBe(true);
  }, 120_000);

  it('answers --out naming a folder that already holds a run with exit 2', async () => {
    const again = await clinsim(['run', ...common(), '--out', 'full'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--out full already holds a run (results.jsonl exists)');
  }, 60_000);

  it('refuses folders that are not the complete shards of one run, with exit 2 and the reason', async () => {
    // Doctored copies of the shards: each breaks one rule.
    const copy = async (from: string, to: string, edit: (m: Awaited<ReturnType<typeof readManifest>>) => Awaited<ReturnType<typeof readManifest>>) => {
      await cp(join(dir, from), join(dir, to), { recursive: true });
      await writeManifest(join(dir, to, 'manifest.json'), edit(await readManifest(join(dir, to, 'manifest.json'))));
    };
    await copy('shard-3', 'reseeded', (m) => ({ ...m, scenarios: m.scenarios.map((s) => ({ ...s, seed: s.seed + 1 })) }));
    await copy('shard-3', 'unfinished', (m) => ({ ...m, status: 'interrupted' }));
    await copy('shard-3', 'short', (m) => m);
    const journal = join(dir, 'short', 'results.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    await writeFile(journal, lines.slice(0, -1).join('\n') + '\n');
    await mkdir(join(dir, 'occupied'));
    await writeFile(join(dir, 'occupied', 'note.txt'), 'x');

    const cases: [string[], RegExp][] = [
      [['shard-1', 'shard-2'], /shard 3\/3 missing: merge needs all 3/],
      [['shard-1', 'shard-1', 'shard-2'], /shard-1 and shard-1 are both shard 1\/3/],
      [['shard-1', 'shard-2', 'reseeded'], /scenario a: seed differs/],
      [['shard-1', 'shard-2', 'unfinished'], /unfinished: shard 3\/3 is interrupted, not complete; finish it with {2}clinsim run --resume unfinished/],
      [['shard-1', 'shard-2', 'short'], /short \(shard 3\/3\): scenario b lacks records of case \d+/],
      [['shard-1', 'shard-2', 'full'], /full: not a shard/],
    ];
    for (const [dirs, message] of cases) {
      const result = await clinsim(['merge', ...dirs, '--out', 'refused'], { cwd: dir });
      expect([result.code, result.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
    const occupied = await clinsim(['merge', ...shardDirs, '--out', 'occupied'], { cwd: dir });
    expect([occupied.code, occupied.stderr]).toEqual([2, expect.stringMatching(/--out occupied already exists and is not empty/)]);
    // A refused merge leaves no folder behind.
    expect((await readdir(dir)).filter((n) => n === 'refused' || n.includes('merging'))).toEqual([]);
  }, 180_000);
});
