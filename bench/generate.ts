import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle } from 'fhir/r4.js';
import type { TaskName } from '../simulator/case.ts';
import { ndjsonLine, writeCohort } from '../simulator/cohort/export.ts';
import { tasks } from '../simulator/cohort/tasks.ts';

/**
 * Cohort generation benchmarks, for every task.
 *
 * `generationBench`: in one process, patients/s to generate a patient and serialise its bundle to an
 * NDJSON line, beside the JSON.stringify throughput of the same, already generated bundles (the
 * ceiling: generation can only approach it), and their ratio. Each figure is the median of
 * `repeats` timed passes after a warm-up; generation and ceiling passes alternate, so a busy
 * machine slows both alike and the ratio stays meaningful.
 *
 * `exportMemoryBench`: peak resident memory of a streaming `writeCohort` (ndjson, to a temporary
 * directory) of 10,000 and of 100,000 patients, each in a fresh child process (this file run with
 * `--rss-child`), read at its end from /proc/self/status VmHWM (else process.resourceUsage().maxRSS),
 * and the ratio 100k / 10k: streaming means memory does not grow with the cohort (goal ≤ 1.3).
 *
 * Goals (sepsis): ≥ 10,000 patients/s generate + serialise, ≥ 0.4 of the stringify ceiling.
 */

export interface GenerationBenchOptions {
  patients: number;
  warmup: number;
  repeats: number;
  seed: number;
  /** Tasks to measure (default: every task). */
  tasks: readonly TaskName[];
}

const TASK_NAMES = Object.keys(tasks) as TaskName[];
const DEFAULTS: GenerationBenchOptions = { patients: 10_000, warmup: 2_000, repeats: 5, seed: 20261124, tasks: TASK_NAMES };

/** Goals for the sepsis task (issue "Synthetic FHIR cohorts"). */
export const GENERATION_GOALS = { sepsis: { patientsPerSecond: 10_000, ratioToCeiling: 0.4 } } as const;
export const MEMORY_GOAL = { ratio100kTo10k: 1.3 } as const;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function taskThroughput(name: TaskName, options: GenerationBenchOptions) {
  const { patients, warmup, repeats, seed } = options;
  const task = tasks[name];
  const cohort = { seed };
  task.generate(cohort, 0); // one-off set-up (e.g. the sepsis intercept calibration) outside the timing

  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += ndjsonLine(task.generate(cohort, patients + i).bundle).length;

  // The bundles the ceiling serialises (building them is also a warm-up of generation).
  let resources = 0;
  const bundles: Bundle[] = new Array(patients);
  for (let i = 0; i < patients; i++) {
    bundles[i] = task.generate(cohort, i).bundle;
    resources += bundles[i]!.entry?.length ?? 0;
  }

  // Generation and the ceiling are timed in alternation, so both see the same machine load.
  let bytes = 0;
  const generateMs: number[] = [];
  const stringifyMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    bytes = 0;
    let t0 = performance.now();
    for (let i = 0; i < patients; i++) bytes += ndjsonLine(task.generate(cohort, i).bundle).length;
    generateMs.push(performance.now() - t0);
    t0 = performance.now();
    for (let i = 0; i < patients; i++) sink += ndjsonLine(bundles[i]).length;
    stringifyMs.push(performance.now() - t0);
  }
  bundles.length = 0;

  if (sink < 0) process.stderr.write('unreachable\n'); // keeps the serialised lengths observable
  const generateRate = rate(patients, median(generateMs));
  const stringifyRate = rate(patients, median(stringifyMs));
  const ratio = round(generateRate / stringifyRate, 3);
  const goal = (GENERATION_GOALS as Partial<Record<TaskName, { patientsPerSecond: number; ratioToCeiling: number }>>)[name];
  return {
    patients,
    repeats,
    bytesPerPatient: Math.round(bytes / patients),
    resourcesPerPatient: round(resources / patients, 2),
    generateSerialize: { patientsPerSecond: generateRate, mbPerSecond: round((generateRate * bytes) / patients / 1e6, 2) },
    stringifyCeiling: { patientsPerSecond: stringifyRate, mbPerSecond: round((stringifyRate * bytes) / patients / 1e6, 2) },
    ratioToCeiling: ratio,
    ...(goal
      ? {
          goals: {
            patientsPerSecond: { goal: `>= ${goal.patientsPerSecond}`, pass: generateRate >= goal.patientsPerSecond },
            ratioToCeiling: { goal: `>= ${goal.ratioToCeiling}`, pass: ratio >= goal.ratioToCeiling },
          },
        }
      : {}),
  };
}

/** Generation + serialisation throughput of every task, in this process. */
export async function generationBench(options: Partial<GenerationBenchOptions> = {}) {
  const o = { ...DEFAULTS, ...options };
  const out: Partial<Record<TaskName, ReturnType<typeof taskThroughput>>> = {};
  for (const name of o.tasks) {
    process.stderr.write(`bench: generation ${name}...\n`);
    out[name] = taskThroughput(name, o);
  }
  return out;
}

/** Peak resident set of this process so far, in MB. */
function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return round(Number(match[1]) / 1024, 1);
  } catch {
    /* not Linux: fall back below */
  }
  return round(process.resourceUsage().maxRSS / 1024, 1); // maxRSS is in kilobytes
}

interface ChildResult {
  readonly patients: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly startRssMb: number;
  readonly resources: number;
}

/** Child mode: stream `patients` of `task` to `dir` as ndjson, then report peak RSS on stdout. */
async function rssChild(name: TaskName, patients: number, dir: string, seed: number): Promise<void> {
  const startRssMb = round(process.memoryUsage().rss / 1024 / 1024, 1);
  const t0 = performance.now();
  const result = await writeCohort({ task: tasks[name], cohort: { seed }, size: patients, outDir: dir, format: 'ndjson' });
  const seconds = round((performance.now() - t0) / 1000, 2);
  const out: ChildResult = { patients: result.patients, seconds, peakRssMb: peakRssMb(), startRssMb, resources: result.resources };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const SELF = fileURLToPath(import.meta.url);
const ROOT = dirname(dirname(SELF));

function runChild(name: TaskName, patients: number, seed: number): Promise<ChildResult> {
  return (async () => {
    const dir = await mkdtemp(join(tmpdir(), `clinsim-bench-${name}-`));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--rss-child', name, String(patients), dir, String(seed)], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      if (code !== 0) throw new Error(`bench child for ${name} (${patients} patients) exited with ${code}`);
      return JSON.parse(stdout.trim()) as ChildResult;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
}

/**
 * Peak RSS of streaming exports of 10k and 100k patients of every task, each in a fresh process.
 * Children run `concurrency` at a time (peak RSS is per process, so running them side by side does
 * not change it; their patients/s, which include the disk, then share the cores).
 */
export async function exportMemoryBench(
  options: { sizes?: readonly [number, number]; seed?: number; concurrency?: number; tasks?: readonly TaskName[] } = {},
) {
  const [small, large] = options.sizes ?? [10_000, 100_000];
  const seed = options.seed ?? DEFAULTS.seed;
  const names = options.tasks ?? TASK_NAMES;
  const jobs = names.flatMap((name) => [
    { name, patients: large },
    { name, patients: small },
  ]);
  process.stderr.write(`bench: export memory (${small} and ${large} patients of ${names.join(', ')})...\n`);
  const results = new Map<string, ChildResult>();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      results.set(`${job.name}/${job.patients}`, await runChild(job.name, job.patients, seed));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));

  const out: Partial<Record<TaskName, unknown>> = {};
  for (const name of names) {
    const a = results.get(`${name}/${small}`)!;
    const b = results.get(`${name}/${large}`)!;
    const ratio = round(b.peakRssMb / a.peakRssMb, 3);
    const figures = (r: ChildResult) => ({ peakRssMb: r.peakRssMb, startRssMb: r.startRssMb, seconds: r.seconds });
    out[name] = {
      [String(small)]: figures(a),
      [String(large)]: figures(b),
      ratio,
      goal: { ratio: `<= ${MEMORY_GOAL.ratio100kTo10k}`, pass: ratio <= MEMORY_GOAL.ratio100kTo10k },
    };
  }
  return {
    ...out,
    note: 'writeCohort --format ndjson to a temporary directory, each run in a fresh process (two at a time); peak = VmHWM at its end, start = RSS after loading the code',
  };
}

if (process.argv[1] === SELF && process.argv[2] === '--rss-child') {
  const [, , , name, patients, dir, seed] = process.argv;
  if (!name || !Object.hasOwn(tasks, name) || !dir) throw new Error('usage: generate.ts --rss-child <task> <patients> <dir> <seed>');
  rssChild(name as TaskName, Number(patients), dir, Number(seed)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
