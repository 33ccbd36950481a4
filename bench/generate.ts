import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from 'fhir/r4.js';
import { ndjsonLine, writeCohort } from '../simulator/cohort/export.ts';
import { tasks } from '../simulator/cohort/tasks.ts';

/**
 * Cohort generation throughput, in process: patients/s to generate a sepsis patient and serialise
 * its bundle to an NDJSON line, beside the JSON.stringify throughput of the same, already generated
 * bundles (the ceiling: generation can only approach it), and their ratio. Each figure is the
 * median of `repeats` timed passes after a warm-up. `export` adds the full ndjson writer to a
 * temporary directory (disk included).
 */

export interface GenerationBenchOptions {
  patients: number;
  warmup: number;
  repeats: number;
  seed: number;
}

const DEFAULTS: GenerationBenchOptions = { patients: 20_000, warmup: 3_000, repeats: 3, seed: 20261124 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);

export async function generationBench(options: Partial<GenerationBenchOptions> = {}) {
  const { patients, warmup, repeats, seed } = { ...DEFAULTS, ...options };
  const task = tasks.sepsis;
  const cohort = { seed };
  task.generate(cohort, 0); // calibration of the default prevalence happens once, outside the timing

  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += ndjsonLine(task.generate(cohort, patients + i).bundle).length;

  let bytes = 0;
  let resources = 0;
  const generateMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < patients; i++) bytes += ndjsonLine(task.generate(cohort, i).bundle).length;
    generateMs.push(performance.now() - t0);
  }

  const bundles: Bundle[] = new Array(patients);
  for (let i = 0; i < patients; i++) {
    bundles[i] = task.generate(cohort, i).bundle;
    resources += bundles[i]!.entry?.length ?? 0;
  }
  const stringifyMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < patients; i++) sink += ndjsonLine(bundles[i]).length;
    stringifyMs.push(performance.now() - t0);
  }
  bundles.length = 0;

  const exportMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const dir = await mkdtemp(join(tmpdir(), 'clinsim-bench-'));
    try {
      const t0 = performance.now();
      await writeCohort({ task, cohort, size: patients, outDir: dir, format: 'ndjson' });
      exportMs.push(performance.now() - t0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  if (sink < 0) process.stderr.write('unreachable\n'); // keeps the serialised lengths observable
  const generateRate = rate(patients, median(generateMs));
  const stringifyRate = rate(patients, median(stringifyMs));
  return {
    task: 'sepsis',
    patients,
    repeats,
    bytesPerPatient: Math.round(bytes / patients),
    resourcesPerPatient: Math.round((resources / patients) * 100) / 100,
    generateSerialize: { patientsPerSecond: generateRate, mbPerSecond: Math.round((generateRate * bytes) / patients / 1e4) / 100 },
    stringifyCeiling: { patientsPerSecond: stringifyRate, mbPerSecond: Math.round((stringifyRate * bytes) / patients / 1e4) / 100 },
    ratioToCeiling: Math.round((generateRate / stringifyRate) * 1000) / 1000,
    exportNdjson: { patientsPerSecond: rate(patients, median(exportMs)), note: 'writeCohort to a temporary directory, disk included' },
  };
}
