import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunFileName, isRunId, realRunsRoot, resolveRunDir, resolveRunFile } from '../../reports/dashboard/run-paths.ts';

describe('dashboard run paths', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'clinsim-dash-paths-')));
    root = join(base, 'runs');
    await mkdir(join(root, 'run-1'), { recursive: true });
    await writeFile(join(root, 'run-1', 'report.json'), '{}');
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'report.json'), '{"secret":true}');
    await symlink(join(base, 'outside'), join(root, 'escape'));
    await symlink(join(root, 'run-1'), join(root, 'alias'));
    await mkdir(join(root, 'run-2'));
    await symlink(join(base, 'outside', 'report.json'), join(root, 'run-2', 'report.json'));
    await writeFile(join(root, 'not-a-folder'), 'x');
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('accepts run ids and --out names, and nothing that could name another folder', () => {
    for (const id of ['20260301T020000-a1b2c3', 'nightly-2026.03.01', 'run_1', 'A']) expect(isRunId(id), id).toBe(true);
    for (const id of ['', '.', '..', '.hidden', 'a/b', 'a\\b', '../x', 'a..b', '/etc', 'a b', 'a%2fb', 'a\0b', 'x'.repeat(101), 'é']) {
      expect(isRunId(id), JSON.stringify(id)).toBe(false);
    }
  });

  it('serves the allow-listed file names only', () => {
    for (const name of ['report.html', 'report.json', 'summary.md', 'junit.xml', 'manifest.json', 'compare.md', 'compare.json']) expect(isRunFileName(name)).toBe(true);
    for (const name of ['results.jsonl', 'load.json', '../manifest.json', 'constructor', 'toString', '__proto__']) expect(isRunFileName(name)).toBe(false);
  });

  it('resolves run folders inside the runs folder, following symlinks only while they stay inside', async () => {
    const real = (await realRunsRoot(root))!;
    expect(await resolveRunDir(real, 'run-1')).toBe(join(real, 'run-1'));
    expect(await resolveRunDir(real, 'alias')).toBe(join(real, 'run-1'));
    expect(await resolveRunDir(real, 'escape')).toBeNull();
    expect(await resolveRunDir(real, 'not-a-folder')).toBeNull();
    expect(await resolveRunDir(real, 'missing')).toBeNull();
    expect(await resolveRunDir(real, '..')).toBeNull();
    expect(await resolveRunDir(real, '../outside')).toBeNull();
    expect(await realRunsRoot(join(base, 'nowhere'))).toBeNull();
  });

  it('resolves a run file only when its real path stays in the run folder', async () => {
    const real = (await realRunsRoot(root))!;
    expect(await resolveRunFile(real, join(real, 'run-1'), 'report.json')).toBe(join(real, 'run-1', 'report.json'));
    expect(await resolveRunFile(real, join(real, 'run-1'), 'summary.md')).toBeNull();
    expect(await resolveRunFile(real, join(real, 'run-2'), 'report.json')).toBeNull();
  });
});
