import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Peak resident memory of `clinsim run` end to end (cohort generation, calls to the reference
 * sepsis model over loopback, the journal, then the report computed from the journal), for a
 * single-arm sepsis scenario of `small` and of `large` cases, plus a `floor` run of a few cases
 * that shows what the process costs before any case. Each run is the real CLI in a fresh process,
 * one after the other.
 *
 * Peak RSS is read at the end of each process from /proc/self/status VmHWM (else
 * `process.resourceUsage().maxRSS`) by a probe module that NODE_OPTIONS loads into every node
 * process of the run: the runner and the reference model server it starts. The figure of record is
 * the runner's; streaming means it does not grow with the cohort: goal large / small <= 1.3.
 *
 * Sizes: CLINSIM_BENCH_MEMORY_SIZES="floor,small,large" (default "100,10000,100000"); the large run
 * takes a minute or two on two cores. Each run is killed after RUN_TIMEOUT_MS.
 */

export const MEMORY_RUN_GOAL = { ratioLargeToSmall: 1.3 } as const;

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'bin', 'clinsim.js');
const SEED = 20261124;
const RUN_TIMEOUT_MS = 20 * 60_000;
/** The reference target's concurrency (the call policy's default). */
const CONCURRENCY = 8;
const PROBE_ENV = 'CLINSIM_BENCH_RSS_PREFIX';

/**
 * Writes `<prefix>.<pid>.json` with the process's argv and peak RSS when it exits. Plain JavaScript
 * in a data: URL so that NODE_OPTIONS can load it into every node process of the run.
 */
const PROBE = `
import { readFileSync, writeFileSync } from 'node:fs';
const prefix = process.env.${PROBE_ENV};
process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try {
    const m = /^VmHWM:\\s+(\\d+)\\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) kb = Number(m[1]);
  } catch {}
  writeFileSync(prefix + '.' + process.pid + '.json', JSON.stringify({ argv: process.argv.slice(2), peakRssKb: kb }));
});
`;

const ProbeResult = z.object({ argv: z.array(z.string()), peakRssKb: z.number().int().positive() });

const Sizes = z
  .string()
  .regex(/^\d+,\d+,\d+$/, 'give three whole numbers: floor,small,large')
  .transform((text) => text.split(',').map(Number) as [number, number, number])
  .refine(([floor, small, large]) => floor >= 1 && floor < small && small < large, 'sizes must be 1 <= floor < small < large');

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface RunMemory {
  readonly cases: number;
  readonly seconds: number;
  /** The `clinsim run` process. */
  readonly runnerPeakRssMb: number;
  /** The reference model server it started (null if its probe did not report). */
  readonly modelPeakRssMb: number | null;
}

function scenarioSource(cases: number): string {
  return `import { defineScenario } from 'clinsim';
export default defineScenario({
  name: 'memory-${cases}',
  task: 'sepsis',
  cohort: { size: ${cases}, seed: ${SEED} },
  // No target: the CLI starts the bundled reference models, as \`clinsim run\` does for a user.
  arms: { baseline: [] },
});
`;
}

/** Runs the CLI on `cases` cases in `dir` and reads the peaks its processes reported. */
async function measureRun(dir: string, cases: number): Promise<RunMemory> {
  const file = join(dir, `memory-${cases}.scenario.ts`);
  await writeFile(file, scenarioSource(cases));
  const prefix = join(dir, `probe-${cases}`);
  const out = join(dir, `run-${cases}`);
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'run', file, '--out', out, '--quiet'], {
    cwd: dir,
    env: { ...process.env, [PROBE_ENV]: prefix, NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(PROBE)}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  const seconds = round((performance.now() - started) / 1000, 1);
  // Exit 0 or 1 (a gate verdict) means the run was carried out and reported.
  if (code !== 0 && code !== 1) throw new Error(`clinsim run of ${cases} cases exited with ${code}: ${stderr.trim()}`);

  const probes = await Promise.all(
    (await readdir(dir))
      .filter((name) => name.startsWith(`probe-${cases}.`))
      .map(async (name) => ProbeResult.parse(JSON.parse(await readFile(join(dir, name), 'utf8')))),
  );
  const runner = probes.find((p) => p.argv.includes('run'));
  const model = probes.find((p) => p.argv.includes('models'));
  if (!runner) throw new Error(`the probe of the clinsim run process of ${cases} cases did not report`);
  await rm(out, { recursive: true, force: true });
  const mb = (kb: number) => round(kb / 1024, 1);
  return { cases, seconds, runnerPeakRssMb: mb(runner.peakRssKb), modelPeakRssMb: model ? mb(model.peakRssKb) : null };
}

export async function memoryBench(options: { sizes?: readonly [number, number, number] } = {}) {
  const [floor, small, large] = options.sizes ?? Sizes.parse(process.env.CLINSIM_BENCH_MEMORY_SIZES ?? '100,10000,100000');
  const dir = await mkdtemp(join(tmpdir(), 'clinsim-bench-memory-'));
  try {
    const runs: RunMemory[] = [];
    for (const cases of [floor, small, large]) {
      process.stderr.write(`bench: memory, clinsim run of ${cases} sepsis cases...\n`);
      runs.push(await measureRun(dir, cases));
    }
    const [f, s, l] = runs as [RunMemory, RunMemory, RunMemory];
    const ratio = round(l.runnerPeakRssMb / s.runnerPeakRssMb, 3);
    return {
      [String(floor)]: f,
      [String(small)]: s,
      [String(large)]: l,
      ratio,
      goal: { ratio: `<= ${MEMORY_RUN_GOAL.ratioLargeToSmall}`, pass: ratio <= MEMORY_RUN_GOAL.ratioLargeToSmall },
      note:
        `clinsim run, one baseline arm of sepsis cases against the reference model it starts (concurrency ${CONCURRENCY}), ` +
        'report included; peak = VmHWM of each process at its exit; ratio = runner peak at the large size / at the small size',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
