import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, writeCohort } from '../../simulator/cohort/export.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';

async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

describe('every task in every format is deterministic', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'clinsim-det-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const task of Object.values(tasks)) {
    for (const format of EXPORT_FORMATS) {
      it(`${task.name} as ${format}: same seed, byte-identical files; another seed, other files`, async () => {
        const write = (name: string, seed: number) =>
          writeCohort({ task, cohort: { seed }, size: 40, outDir: join(root, task.name, format, name), format, hash: true });
        const [a, b, c] = [await write('a', 99), await write('b', 99), await write('c', 100)];
        expect(b.hash).toBe(a.hash);
        expect(c.hash).not.toBe(a.hash);
        const first = await contents(join(root, task.name, format, 'a'));
        expect(Object.keys(first).length).toBeGreaterThan(0);
        expect(await contents(join(root, task.name, format, 'b'))).toEqual(first);
        expect(await contents(join(root, task.name, format, 'c'))).not.toEqual(first);
      });
    }
  }
});
