import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FhirResource } from 'fhir/r4.js';
import { bundleFileName, cohortHasher, ndjsonLine, writeCohort } from '../../simulator/cohort/export.ts';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';

const cohort = { seed: 424242 };
const SIZE = 120;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clinsim-export-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readAll(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(join(dir, name)));
  return out;
}

// Observations in the generated bundles of these patients: labs not ordered are absent (baseline
// missingness), so the count is not a fixed multiple of the cohort size.
function observationCount(indices: Iterable<number>, seed = cohort.seed): number {
  let n = 0;
  for (const i of indices) {
    for (const e of sepsisTask.generate({ seed }, i).bundle.entry!) if (e.resource?.resourceType === 'Observation') n++;
  }
  return n;
}

function expectedHash(indices: Iterable<number>, seed = cohort.seed): string {
  const h = cohortHasher();
  for (const i of indices) h.add(sepsisTask.generate({ seed }, i).bundle);
  return h.digest();
}

describe('writeCohort --format ndjson', () => {
  it('writes one <ResourceType>.ndjson per type, one resource per line, in patient order', async () => {
    const dir = join(root, 'ndjson-a');
    const result = await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: dir, format: 'ndjson', hash: true });
    const files = await readAll(dir);
    expect([...files.keys()]).toEqual(['Condition.ndjson', 'DocumentReference.ndjson', 'Encounter.ndjson', 'Observation.ndjson', 'Patient.ndjson']);
    expect(result.patients).toBe(SIZE);
    expect(result.files).toBe(5);

    const expected = new Map<string, string[]>();
    for (let i = 0; i < SIZE; i++) {
      for (const e of sepsisTask.generate(cohort, i).bundle.entry!) {
        const r = e.resource as FhirResource;
        expected.set(r.resourceType, [...(expected.get(r.resourceType) ?? []), JSON.stringify(r)]);
      }
    }
    let total = 0;
    for (const [name, content] of files) {
      const type = name.replace('.ndjson', '');
      const lines = content.toString('utf8').split('\n');
      expect(lines.pop()).toBe(''); // every line ends with \n
      expect(lines).toEqual(expected.get(type));
      for (const line of lines) expect((JSON.parse(line) as FhirResource).resourceType).toBe(type);
      expect(result.byType[type]).toBe(lines.length);
      total += lines.length;
    }
    expect(result.resources).toBe(total);
    expect(result.byType.Patient).toBe(SIZE);
    const observations = observationCount(Array.from({ length: SIZE }, (_, i) => i));
    expect(observations).toBeLessThan(SIZE * 11); // some labs were not ordered
    expect(observations).toBeGreaterThan(SIZE * 5); // the five vitals are always charted
    expect(result.byType.Observation).toBe(observations);
    expect(result.hash).toBe(expectedHash(Array.from({ length: SIZE }, (_, i) => i)));
  });

  it('two runs with the same seed write byte-identical files; another seed does not', async () => {
    const a = join(root, 'ndjson-1');
    const b = join(root, 'ndjson-2');
    const c = join(root, 'ndjson-3');
    await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: a, format: 'ndjson' });
    await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: b, format: 'ndjson' });
    await writeCohort({ task: sepsisTask, cohort: { seed: 1 }, size: SIZE, outDir: c, format: 'ndjson' });
    const fa = await readAll(a);
    const fb = await readAll(b);
    expect([...fb.keys()]).toEqual([...fa.keys()]);
    for (const [name, content] of fa) expect(fb.get(name)!.equals(content)).toBe(true);
    expect((await readAll(c)).get('Patient.ndjson')!.equals(fa.get('Patient.ndjson')!)).toBe(false);
  });

  it('writes large cohorts through the buffered streams (several flushes) without losing lines', async () => {
    const dir = join(root, 'ndjson-large');
    const size = 1500; // > 256 KiB per Observation file: exercises flushes and drains
    const result = await writeCohort({ task: sepsisTask, cohort, size, outDir: dir, format: 'ndjson' });
    const obs = (await readFile(join(dir, 'Observation.ndjson'), 'utf8')).split('\n');
    const observations = observationCount(Array.from({ length: size }, (_, i) => i));
    expect(obs.length - 1).toBe(observations);
    expect(result.byType.Observation).toBe(observations);
    const patients = (await readFile(join(dir, 'Patient.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(patients[size - 1]!)).toEqual(sepsisTask.generate(cohort, size - 1).bundle.entry![0]!.resource);
  });

  it('writes only the given indices, in their order (a shard)', async () => {
    const dir = join(root, 'ndjson-shard');
    const indices = [7, 3, 11];
    const result = await writeCohort({ task: sepsisTask, cohort, size: 999, indices, outDir: dir, format: 'ndjson', hash: true });
    expect(result.patients).toBe(3);
    const ids = (await readFile(join(dir, 'Patient.ndjson'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as FhirResource).id);
    expect(ids).toEqual(indices.map((i) => sepsisTask.generate(cohort, i).bundle.entry![0]!.resource!.id));
    expect(result.hash).toBe(expectedHash(indices));
  });

  it('stops on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeCohort({ task: sepsisTask, cohort, size: 10, outDir: join(root, 'aborted'), format: 'ndjson', signal: controller.signal }),
    ).rejects.toThrow();
  });
});

describe('writeCohort --format bundle', () => {
  it('writes one bundle-<index>.json per patient holding its NDJSON line, byte-identical across runs', async () => {
    const a = join(root, 'bundle-1');
    const b = join(root, 'bundle-2');
    const size = 40;
    const ra = await writeCohort({ task: sepsisTask, cohort, size, outDir: a, format: 'bundle', hash: true });
    await writeCohort({ task: sepsisTask, cohort, size, outDir: b, format: 'bundle' });
    expect(ra).toMatchObject({ patients: size, files: size });
    const fa = await readAll(a);
    const fb = await readAll(b);
    expect([...fa.keys()]).toEqual(Array.from({ length: size }, (_, i) => bundleFileName(i)));
    expect(bundleFileName(7)).toBe('bundle-000007.json');
    for (const [name, content] of fa) expect(fb.get(name)!.equals(content)).toBe(true);
    for (let i = 0; i < size; i++) {
      expect(fa.get(bundleFileName(i))!.toString('utf8')).toBe(ndjsonLine(sepsisTask.generate(cohort, i).bundle));
    }
    // The hash is over the concatenated files, the same as the ndjson writer's.
    expect(ra.hash).toBe(expectedHash(Array.from({ length: size }, (_, i) => i)));
    expect(ra.resources).toBe(Object.values(ra.byType).reduce((s, n) => s + n, 0));
  });

  it('rejects an unknown format', async () => {
    await expect(
      writeCohort({ task: sepsisTask, cohort, size: 1, outDir: join(root, 'bad'), format: 'parquet' as 'ndjson' }),
    ).rejects.toThrow(/unknown export format/);
  });
});

describe('cohortHasher', () => {
  it('is deterministic, order-sensitive and seed-sensitive; add and addLine agree', () => {
    const h1 = expectedHash([0, 1, 2]);
    expect(expectedHash([0, 1, 2])).toBe(h1);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(expectedHash([1, 0, 2])).not.toBe(h1);
    expect(expectedHash([0, 1, 2], 99)).not.toBe(h1);
    const h = cohortHasher();
    for (const i of [0, 1, 2]) h.addLine(ndjsonLine(sepsisTask.generate(cohort, i).bundle));
    expect(h.patients).toBe(3);
    expect(h.digest()).toBe(h1);
  });
});
