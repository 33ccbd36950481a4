import { writeCohort } from './simulator/cohort/export.ts';
import { importCases } from './simulator/cohort/import/index.ts';
import { sepsisTask } from './simulator/cohort/sepsis/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = await mkdtemp(join(tmpdir(), 'scale-'));
const N = Number(process.argv[2] ?? 20000);
await writeCohort({ task: sepsisTask, cohort: { seed: 1 }, size: N, outDir: dir, format: 'ndjson' });
global.gc?.();
const t0 = performance.now();
let n = 0, maxRss = 0, res = 0;
for await (const c of importCases(dir, { task: 'sepsis', salt: 'x', onStats: (s) => console.log(s) })) {
  n++; res += c.bundle.entry!.length;
  if (n % 2000 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
}
console.log({ n, res, ms: Math.round(performance.now() - t0), maxRssMB: Math.round(maxRss / 1e6), heapMB: Math.round(process.memoryUsage().heapUsed / 1e6) });
await rm(dir, { recursive: true, force: true });
