import { mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_BYTES, ParsedFileCache, readJsonFile } from '../../reports/dashboard/read-json.ts';

const Shape = z.object({ n: z.number() });

describe('dashboard JSON reading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-dash-json-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('turns every failure into a one-line problem', async () => {
    await writeFile(join(dir, 'ok.json'), '{"n": 1, "extra": true}');
    await writeFile(join(dir, 'bad.json'), '{"n": ');
    await writeFile(join(dir, 'shape.json'), '{"n": "one"}');
    expect(await readJsonFile(join(dir, 'ok.json'), Shape, 'ok.json')).toEqual({ kind: 'ok', data: { n: 1 } });
    expect(await readJsonFile(join(dir, 'missing.json'), Shape, 'missing.json')).toEqual({ kind: 'absent' });
    expect(await readJsonFile(join(dir, 'bad.json'), Shape, 'bad.json')).toMatchObject({ kind: 'problem', problem: expect.stringMatching(/^bad\.json: not JSON \(/) });
    expect(await readJsonFile(join(dir, 'shape.json'), Shape, 'shape.json')).toMatchObject({ kind: 'problem', problem: expect.stringMatching(/^shape\.json: n: /) });
    expect(await readJsonFile(dir, Shape, 'folder')).toEqual({ kind: 'problem', problem: 'folder: not a file' });
    await writeFile(join(dir, 'big.json'), Buffer.alloc(MAX_JSON_BYTES + 1, 0x20));
    expect(await readJsonFile(join(dir, 'big.json'), Shape, 'big.json')).toEqual({ kind: 'problem', problem: `big.json: too large to read (${MAX_JSON_BYTES + 1} bytes)` });
  });

  it('reuses a parsed file while it is unchanged, and reads it again once it is replaced', async () => {
    const path = join(dir, 'report.json');
    const cache = new ParsedFileCache(10);
    const when = new Date('2026-03-01T02:00:00Z');
    await writeFile(path, '{"n": 1}');
    await utimes(path, when, when);
    expect(await readJsonFile(path, Shape, 'report.json', cache)).toEqual({ kind: 'ok', data: { n: 1 } });
    // Same inode, size and mtime: served from the cache (the edit is not seen).
    await writeFile(path, '{"n": 2}');
    await utimes(path, when, when);
    expect(await readJsonFile(path, Shape, 'report.json', cache)).toEqual({ kind: 'ok', data: { n: 1 } });
    // Replaced the way run files are written (a rename): read again.
    await writeFile(join(dir, 'next.json'), '{"n": 3}');
    await rename(join(dir, 'next.json'), path);
    expect(await readJsonFile(path, Shape, 'report.json', cache)).toEqual({ kind: 'ok', data: { n: 3 } });
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new ParsedFileCache(2);
    const read = (n: number) => ({ kind: 'ok', data: { n } }) as const;
    cache.set('a', 's', read(1));
    cache.set('b', 's', read(2));
    expect(cache.get('a', 's')).toEqual(read(1));
    cache.set('c', 's', read(3));
    expect(cache.get('b', 's')).toBeUndefined();
    expect(cache.get('a', 's')).toEqual(read(1));
    expect(cache.get('c', 's')).toEqual(read(3));
    expect(cache.get('c', 'other stamp')).toBeUndefined();
  });
});
