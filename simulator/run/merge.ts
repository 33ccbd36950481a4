import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { LoadPhaseReport } from '../load/index.ts';
import type { Report } from '../metrics/report-types.ts';
import { JournalCoverage } from './journal-coverage.ts';
import { JOURNAL_FILE, readJournalEntries } from './journal.ts';
import { LOAD_FILE, readLoadFile, writeLoadFile } from './load-file.ts';
import { MANIFEST_FILE, readManifest, writeManifest, type Manifest } from './manifest.ts';
import { lineageDifference } from './resume.ts';
import { renderRunReports } from './run-files.ts';
import { describeShard, inShard, mergePhaseReports, type Shard } from './shard.ts';
import { syncFile } from './atomic-write.ts';

/**
 * `clinsim merge`: the shards of one run, combined into the run folder a single run would have
 * written. Each record is copied as written, so the merged journal holds exactly the shards'
 * records, and the report is computed from it like any other (the metrics do not depend on the
 * order of the records), so it equals the unsharded run's on every metric and count. Load phases
 * are merged as shard.ts `mergePhaseReports` says.
 */

/** The folders are not the complete shards of one run (exit code 2); the message says why. */
export class MergeRefusal extends Error {
  override readonly name = 'MergeRefusal';
}

export interface MergeRequest {
  readonly dirs: readonly string[];
  readonly outDir: string;
  readonly runId: string;
  /** Bootstrap resamples of the report; by default those the shards were run with. */
  readonly resamples?: number;
}

export interface MergeResult {
  readonly manifest: Manifest;
  readonly report: Report;
}

interface ShardRun {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly shard: Shard;
}

export async function mergeShards(request: MergeRequest): Promise<MergeResult> {
  const shards = await readShards(request.dirs);
  checkTogether(shards);
  await checkOut(request.outDir);

  // Built beside the destination and renamed into place: a merge cut short never looks finished.
  const out = resolve(request.outDir);
  const work = join(dirname(out), `.${basename(out)}.merging-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const first = shards[0]!.manifest;
    const resamples = request.resamples ?? first.invocation?.resamples ?? undefined;
    const cases = await copyJournals(shards, join(work, JOURNAL_FILE));
    const load = await mergeLoad(shards);
    if (load.size > 0) await writeLoadFile(join(work, LOAD_FILE), load);
    const manifest: Manifest = {
      runId: request.runId,
      toolVersion: first.toolVersion,
      nodeVersion: process.version,
      status: 'complete',
      startedAt: shards.map((s) => s.manifest.startedAt).sort()[0]!,
      finishedAt: shards.map((s) => s.manifest.finishedAt ?? s.manifest.startedAt).sort().at(-1)!,
      scenarios: first.scenarios.map((s) => ({ ...s, cases: cases.get(s.name) ?? 0 })),
      invocation: null,
      shard: null,
      mergedFrom: shards.map((s) => ({ dir: resolve(s.dir), runId: s.manifest.runId, shard: s.shard })),
      mergedResamples: resamples ?? null,
    };
    await writeManifest(join(work, MANIFEST_FILE), manifest);
    const report = await renderRunReports(work, { resamples });
    if (await stat(out).catch(() => null)) await rmdir(out);
    await rename(work, out);
    return { manifest, report };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

async function readShards(dirs: readonly string[]): Promise<ShardRun[]> {
  if (dirs.length === 0) throw new MergeRefusal('clinsim merge: name the shard folders to merge');
  const runs: ShardRun[] = [];
  for (const dir of dirs) {
    let manifest: Manifest;
    try {
      manifest = await readManifest(join(dir, MANIFEST_FILE));
    } catch (error) {
      throw new MergeRefusal(`${dir}: not a run folder (${(error as Error).message})`);
    }
    if (!manifest.shard) throw new MergeRefusal(`${dir}: not a shard (it was run without --shard)`);
    if (manifest.status !== 'complete') {
      throw new MergeRefusal(`${dir}: shard ${describeShard(manifest.shard)} is ${manifest.status}, not complete; finish it with  clinsim run --resume ${dir}`);
    }
    if (!(await stat(join(dir, JOURNAL_FILE)).catch(() => null))) throw new MergeRefusal(`${dir}: no ${JOURNAL_FILE}`);
    runs.push({ dir, manifest, shard: manifest.shard });
  }
  return runs.sort((a, b) => a.shard.index - b.shard.index);
}

/** Same run (tool version, scenarios, cohorts, options), every shard exactly once. */
function checkTogether(shards: readonly ShardRun[]): void {
  const [first, ...rest] = shards as [ShardRun, ...ShardRun[]];
  const count = first.shard.count;
  for (const s of rest) {
    if (s.shard.count !== count) throw new MergeRefusal(`${s.dir} is shard ${describeShard(s.shard)} but ${first.dir} is ${describeShard(first.shard)}: not the same split`);
  }
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const other = byIndex.get(s.shard.index);
    if (other) throw new MergeRefusal(`${other} and ${s.dir} are both shard ${describeShard(s.shard)}`);
    byIndex.set(s.shard.index, s.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new MergeRefusal(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: merge needs all ${count}`);

  for (const s of rest) {
    const m = s.manifest;
    const against = `${s.dir} (shard ${describeShard(s.shard)}) and ${first.dir} (shard ${describeShard(first.shard)})`;
    if (m.toolVersion !== first.manifest.toolVersion) throw new MergeRefusal(`${against} were run by clinsim ${m.toolVersion} and ${first.manifest.toolVersion}`);
    const resamples = (x: Manifest) => x.invocation?.resamples ?? null;
    if (resamples(m) !== resamples(first.manifest)) throw new MergeRefusal(`${against} were run with different --resamples`);
    const names = (x: Manifest) => x.scenarios.map((sc) => sc.name).join(', ');
    if (names(m) !== names(first.manifest)) throw new MergeRefusal(`${against} ran different scenarios: ${names(m)} / ${names(first.manifest)}`);
    m.scenarios.forEach((scenario, i) => {
      const base = first.manifest.scenarios[i]!;
      const difference = lineageDifference(base, scenario);
      if (difference) throw new MergeRefusal(`${against}: scenario ${scenario.name}: ${difference.field} differs (${difference.now} / ${difference.was})`);
      if (scenario.cohortHash === null || scenario.cohortHash !== base.cohortHash) {
        throw new MergeRefusal(`${against}: scenario ${scenario.name}: the cohorts differ (hash ${scenario.cohortHash} / ${base.cohortHash})`);
      }
    });
  }
}

/** The merged folder must be new (or an empty folder). */
async function checkOut(outDir: string): Promise<void> {
  const info = await stat(outDir).catch(() => null);
  if (!info) return;
  if (!info.isDirectory() || (await readdir(outDir)).length > 0) {
    throw new MergeRefusal(`--out ${outDir} already exists and is not empty; choose a new folder`);
  }
}

/**
 * Copies every shard's records (as written) into one journal, checking that each belongs to its
 * shard, none repeats, and every case of every scenario is there in full. Returns cases per scenario.
 */
async function copyJournals(shards: readonly ShardRun[], path: string): Promise<Map<string, number>> {
  const scenarios = shards[0]!.manifest.scenarios;
  const coverage = new JournalCoverage(scenarios);
  const out = createWriteStream(path);
  try {
    for (const s of shards) {
      const journal = join(s.dir, JOURNAL_FILE);
      try {
        for await (const { record, text, line } of readJournalEntries(journal)) {
          const problem = inShard(s.shard, record.case) ? coverage.add(record) : `not in shard ${describeShard(s.shard)}`;
          if (problem) throw new MergeRefusal(`${journal}:${line}: ${record.scenario}/${record.arm} case ${record.case} repeat ${record.repeat}: ${problem}`);
          if (!out.write(`${text}\n`)) await new Promise<void>((done) => out.once('drain', () => done()));
        }
      } catch (error) {
        if (error instanceof MergeRefusal) throw error;
        throw new MergeRefusal((error as Error).message);
      }
    }
  } finally {
    out.end();
    await finished(out);
  }
  await syncFile(path);
  const cases = new Map<string, number>();
  for (const [name, c] of coverage.result()) {
    const size = scenarios.find((x) => x.name === name)!.size;
    if (c.count !== size) {
      const lacking = c.complete.findIndex((done) => done === 0);
      const owner = shards.find((s) => inShard(s.shard, lacking))!;
      throw new MergeRefusal(`${owner.dir} (shard ${describeShard(owner.shard)}): scenario ${name} lacks records of case ${lacking}; its journal is incomplete`);
    }
    cases.set(name, c.count);
  }
  return cases;
}

/** Every scenario's load phases, each merged over the shards (all of which must have run it). */
async function mergeLoad(shards: readonly ShardRun[]): Promise<Map<string, LoadPhaseReport[]>> {
  const files = await Promise.all(
    shards.map((s) =>
      readLoadFile(join(s.dir, LOAD_FILE)).catch((error: unknown) => {
        throw new MergeRefusal((error as Error).message);
      }),
    ),
  );
  const merged = new Map<string, LoadPhaseReport[]>();
  for (const { name } of shards[0]!.manifest.scenarios) {
    const perShard = files.map((f) => f.get(name));
    if (perShard.every((p) => p === undefined)) continue;
    const lacking = perShard.findIndex((p) => p === undefined);
    if (lacking >= 0) throw new MergeRefusal(`${shards[lacking]!.dir}: ${LOAD_FILE} has no load results of scenario ${name}, which other shards have`);
    const combined = perShard[0]!.map((phase) => {
      const parts = perShard.map((p, i) => {
        const found = p!.find((x) => x.name === phase.name);
        if (!found) throw new MergeRefusal(`${shards[i]!.dir}: ${LOAD_FILE} has no result of load phase "${phase.name}" of scenario ${name}`);
        return found;
      });
      return mergePhaseReports(parts);
    });
    merged.set(name, combined);
  }
  return merged;
}
