import { cpus } from 'node:os';
import { exportMemoryBench, generationBench } from './generate.ts';
import { loadBench } from './load.ts';
import { memoryBench } from './memory.ts';
import { statisticsBench } from './statistics.ts';

/**
 * `npm run bench`: runs every benchmark (or those named on the command line) and prints one JSON
 * object on stdout, one key per benchmark. Add a benchmark by adding an entry here.
 */
const benchmarks = {
  generation: () => generationBench(),
  exportMemory: () => exportMemoryBench(),
  load: () => loadBench(),
  statistics: () => statisticsBench(),
  memory: () => memoryBench(),
} satisfies Record<string, () => Promise<unknown>>;

type BenchmarkName = keyof typeof benchmarks;

const requested = process.argv.slice(2);
for (const name of requested) {
  if (!Object.hasOwn(benchmarks, name)) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(benchmarks).join(', ')}\n`);
    process.exit(2);
  }
}

const results: Partial<Record<BenchmarkName, unknown>> = {};
for (const name of Object.keys(benchmarks) as BenchmarkName[]) {
  if (requested.length > 0 && !requested.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  results[name] = await benchmarks[name]();
}

const environment = { node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length };
process.stdout.write(`${JSON.stringify({ environment, ...results }, null, 2)}\n`);
