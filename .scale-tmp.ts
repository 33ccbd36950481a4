import { writeCohort } from './simulator/cohort/export.ts';
import { importCases } from './simulator/cohort/import/index.ts';
import { sepsisTask } from './simulator/cohort/sepsis/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = await mkdtemp(join(tmpdir(), 'scale-'));
await writeCohort({ task: sepsisTask, cohort: { seed: 1 }, size: 20000, outDir: dir, format: 'ndjson' });
const t0 = performance.now();
let n = 0, maxRss = 0;
for await (const c of importCases(dir, { task: 'sepsis', salt: 'x' })) { n++; if (n % 2000 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss); }
console.log(n, Math.round(performance.now() - t0), 'ms', Math.round(maxRss / 1e6), 'MB');
await rm(dir, { recursive: true, force: true });
