import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { TOOL_VERSION } from '../version.ts';
import { JOURNAL_FILE, readJournalEntries, truncateTornTail } from './journal.ts';
import { JournalCoverage } from './journal-coverage.ts';
import type { Target } from '../scenario.ts';
import { MANIFEST_FILE, readManifest, type Invocation, type Manifest, type ScenarioLineage } from './manifest.ts';
import { redactUrl } from './redact.ts';
import { REPORT_FILE } from './run-files.ts';
import { describeShard, inShard } from './shard.ts';
import { syncFile } from './atomic-write.ts';

/**
 * `clinsim run --resume <run dir>`: carry on with a run that was interrupted or killed. The
 * manifest says what was run (scenario files with their content hashes, overrides, shard); the
 * journal says which cases are done. Cases are the unit: a case is done when every one of its
 * (arm, repeat) records is in the journal, and only the cases not done run again, so no record
 * is lost or duplicated and the report equals that of a run never interrupted.
 */

/** The run folder cannot be resumed as asked (exit code 2): the message says why and what to do. */
export class ResumeRefusal extends Error {
  override readonly name = 'ResumeRefusal';
}

/** Reads a run folder's manifest and checks that the run can be taken up again. */
export async function readResumable(runDir: string): Promise<Manifest> {
  const info = await stat(runDir).catch(() => null);
  if (!info?.isDirectory()) throw new ResumeRefusal(`--resume ${runDir}: no such run folder`);
  if (!(await stat(join(runDir, MANIFEST_FILE)).catch(() => null))) {
    throw new ResumeRefusal(`--resume ${runDir}: not a run folder (no ${MANIFEST_FILE})`);
  }
  let manifest: Manifest;
  try {
    manifest = await readManifest(join(runDir, MANIFEST_FILE));
  } catch (error) {
    throw new ResumeRefusal(`--resume ${runDir}: ${(error as Error).message}`);
  }
  if (!manifest.invocation) {
    throw new ResumeRefusal(`--resume ${runDir}: this run was not started by \`clinsim run\` (built in code, merged from shards, or written by an older clinsim), so it cannot be resumed`);
  }
  if (manifest.toolVersion !== TOOL_VERSION) {
    throw new ResumeRefusal(`--resume ${runDir}: the run was started by clinsim ${manifest.toolVersion}, this is ${TOOL_VERSION}; resume it with the same version`);
  }
  if (!(await stat(join(runDir, JOURNAL_FILE)).catch(() => null))) {
    throw new ResumeRefusal(`--resume ${runDir}: not a run folder (no ${JOURNAL_FILE})`);
  }
  if (manifest.status === 'complete') {
    if (manifest.shard) {
      throw new ResumeRefusal(`--resume ${runDir}: shard ${describeShard(manifest.shard)} is already complete; combine the shards with \`clinsim merge\``);
    }
    // A run killed while its reports were being written is complete but has no report.json yet.
    if (await stat(join(runDir, REPORT_FILE)).catch(() => null)) {
      throw new ResumeRefusal(`--resume ${runDir}: the run is already complete (${join(runDir, REPORT_FILE)})`);
    }
  }
  return manifest;
}

/** JSON with object keys sorted, so two values compare equal whatever order their keys were built in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const COMPARED = ['contentHash', 'task', 'seed', 'size', 'prevalence', 'source', 'threshold', 'repeats', 'arms', 'gates'] as const;

export interface LineageDifference {
  readonly field: (typeof COMPARED)[number] | 'target';
  readonly was: string;
  readonly now: string;
}

/**
 * Whether two lineages are the same scenario run the same way: same file content, cohort, arms,
 * gates and endpoint. The reference models start on a new port each time, so only their kind is
 * compared. Null when they agree, else the first field that differs.
 */
export function lineageDifference(was: ScenarioLineage, now: ScenarioLineage): LineageDifference | null {
  for (const field of COMPARED) {
    if (canonical(was[field]) !== canonical(now[field])) return { field, was: canonical(was[field]), now: canonical(now[field]) };
  }
  const sameTarget =
    was.target.adapter === now.target.adapter &&
    was.target.reference === now.target.reference &&
    (now.target.reference || was.target.url === now.target.url) &&
    TARGET_FIELDS.every((field) => was.target[field] === now.target[field]);
  return sameTarget ? null : { field: 'target', was: describeTarget(was.target), now: describeTarget(now.target) };
}

/** Checks that the scenarios loaded again are those the run started with. */
export function verifyScenarios(manifest: Manifest, fresh: readonly ScenarioLineage[]): void {
  const before = manifest.scenarios;
  if (before.map((s) => s.name).join('\n') !== fresh.map((s) => s.name).join('\n')) {
    throw new ResumeRefusal(`the run's scenarios were ${before.map((s) => s.name).join(', ')}; now ${fresh.map((s) => s.name).join(', ')}`);
  }
  before.forEach((was, i) => {
    const now = fresh[i]!;
    const where = now.file ?? was.name;
    const difference = lineageDifference(was, now);
    if (difference?.field === 'contentHash') {
      throw new ResumeRefusal(
        `${where}: the scenario file changed since the run started (sha256 ${was.contentHash.slice(0, 12)}… then, ${now.contentHash.slice(0, 12)}… now); restore it to resume, or start a new run`,
      );
    }
    if (difference?.field === 'target') {
      throw new ResumeRefusal(`${where}: the run called ${difference.was}, now it would call ${difference.now}; a resumed run must call the same endpoint`);
    }
    if (difference) {
      throw new ResumeRefusal(`${where}: ${difference.field} was ${difference.was} when the run started and is ${difference.now} now; a resumed run must run the same scenario`);
    }
  });
}

/** Target fields beside the URL that change what is called (an absent one must stay absent). */
const TARGET_FIELDS = ['model', 'operation', 'output', 'hook', 'fhirServer'] as const;

function describeTarget(target: ScenarioLineage['target']): string {
  const where = target.reference ? `the reference model (${target.adapter})` : `${target.adapter} ${target.url ?? '(in-process)'}`;
  const details = TARGET_FIELDS.filter((field) => target[field] !== undefined).map((field) => `${field} ${target[field]}`);
  return details.length > 0 ? `${where} (${details.join(', ')})` : where;
}

/** Which cases of each scenario the journal holds in full. */
export interface JournalProgress {
  /** Per scenario: 1 at the patient index of every complete case. */
  readonly complete: ReadonlyMap<string, Uint8Array>;
  /** Per scenario: how many cases are complete. */
  readonly counts: ReadonlyMap<string, number>;
  /** Bytes of a torn last line that were cut off. */
  readonly tornBytes: number;
  /** Records of cases that were only partly written, removed so the cases run again whole. */
  readonly droppedRecords: number;
}

/**
 * Brings the journal back to whole cases and says which are complete: a torn last line is cut
 * off; every record is validated and must belong to the run (a known scenario and arm, a case of
 * the cohort and of the run's shard, no (arm, case, repeat) twice); the records of a case that is
 * only partly there are removed (the journal is rewritten without them, which one write per case
 * makes rare) so that the case runs again whole.
 */
export async function recoverJournal(runDir: string, manifest: Manifest): Promise<JournalProgress> {
  const path = join(runDir, JOURNAL_FILE);
  await removeLeftovers(runDir);
  const tornBytes = await truncateTornTail(path);
  const shard = manifest.shard ?? null;
  const coverage = new JournalCoverage(manifest.scenarios);
  try {
    for await (const { record, line } of readJournalEntries(path)) {
      const problem = inShard(shard, record.case) ? coverage.add(record) : `not in shard ${describeShard(shard!)}`;
      if (problem) throw new ResumeRefusal(`${path}:${line}: ${record.scenario}/${record.arm} case ${record.case} repeat ${record.repeat}: ${problem}`);
    }
  } catch (error) {
    if (error instanceof ResumeRefusal) throw error;
    throw new ResumeRefusal(`--resume ${runDir}: ${(error as Error).message}`);
  }
  const complete = new Map<string, Uint8Array>();
  const counts = new Map<string, number>();
  const partial = new Map<string, ReadonlySet<number>>();
  let droppedRecords = 0;
  for (const [name, s] of coverage.result()) {
    complete.set(name, s.complete);
    counts.set(name, s.count);
    if (s.partial.size > 0) partial.set(name, s.partial);
    droppedRecords += s.partialRecords;
  }
  if (partial.size > 0) await rewriteWithout(path, partial);
  return { complete, counts, tornBytes, droppedRecords };
}

/** Temporary files of atomic writes a crash left behind (`<file>.<pid>.tmp`). */
async function removeLeftovers(runDir: string): Promise<void> {
  for (const name of await readdir(runDir)) {
    if (/\.\d+\.tmp$/.test(name)) await rm(join(runDir, name), { force: true });
  }
}

/** Rewrites the journal without the records of the given cases: a new file, synced, renamed over it. */
async function rewriteWithout(path: string, drop: ReadonlyMap<string, ReadonlySet<number>>): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    // Every line was validated by recoverJournal's first pass.
    const { scenario, case: index } = JSON.parse(line) as { scenario: string; case: number };
    if (drop.get(scenario)?.has(index)) continue;
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  await syncFile(tmp);
  await rename(tmp, path);
}

/** The command that takes an interrupted run up again (shell-quoted when it needs to be). */
export function resumeCommand(runDir: string, manifest: Manifest): string {
  const quoted = /^[\w@%+=:,./-]+$/.test(runDir) ? runDir : `'${runDir.replace(/'/g, `'\\''`)}'`;
  const target = manifest.invocation?.targetRedacted ? ' --target <the same --target as before: its credentials are not stored>' : '';
  return `npx clinsim run --resume ${quoted}${target}`;
}

/** What the manifest records of a `clinsim run` command line, so that `--resume` can repeat it. */
export function invocationOf(
  files: readonly string[],
  options: { seed?: number | undefined; size?: number | undefined; resamples?: number | undefined },
  target: Target | undefined,
): Invocation {
  const url = target && 'url' in target ? target.url : null;
  return {
    files: files.map((f) => resolve(f)),
    seed: options.seed ?? null,
    size: options.size ?? null,
    target: target && url !== null ? { adapter: target.adapter, url: redactUrl(url) } : null,
    targetRedacted: url !== null && redactUrl(url) !== new URL(url).toString(),
    resamples: options.resamples ?? null,
  };
}

/**
 * The --target a resumed run calls: the one given again (which must be the run's own), else the
 * one the manifest recorded. A recorded target whose credentials were redacted must be given again.
 */
export function resumedTargetFlag(invocation: Invocation, given: Target | undefined): string | undefined {
  const stored = invocation.target;
  const described = stored ? `${stored.adapter}+${stored.url}` : "none (each scenario's own)";
  if (given) {
    const url = 'url' in given ? redactUrl(given.url) : null;
    if (!stored || stored.adapter !== given.adapter || stored.url !== url) {
      throw new ResumeRefusal(`--target: the run's target was ${described}; a resumed run must call the same endpoint`);
    }
    return undefined;
  }
  if (!stored) return undefined;
  if (invocation.targetRedacted) {
    throw new ResumeRefusal(`the run's --target (${described}) carried credentials, which are not stored: give the same --target again with --resume`);
  }
  return described;
}
