import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexRuns } from '../../reports/dashboard/run-index.ts';

function manifest(id: string, startedAt: string, status = 'complete', scenarios = [{ name: 'nightly', task: 'sepsis' }]): string {
  return JSON.stringify({ runId: id, toolVersion: '0.1.0', nodeVersion: 'v20', status, startedAt, finishedAt: null, scenarios });
}

function report(id: string, startedAt: string, auroc: number, passedGates: readonly boolean[]): string {
  return JSON.stringify({
    schemaVersion: 1,
    run: { id, manifest: 'manifest.json', toolVersion: '0.1.0', startedAt, finishedAt: startedAt },
    scenarios: [
      {
        name: 'nightly',
        task: 'sepsis',
        arms: [
          { name: 'shifted', cases: 10, metrics: { auroc: { value: auroc - 0.1, ci: null } } },
          { name: 'baseline', cases: 10, metrics: { auroc: { value: auroc, ci: [0.7, 0.9] } } },
        ],
        gates: passedGates.map((pass, i) => ({ name: `g${i}`, expression: '>= 0.8', actual: 0.5, pass })),
        passed: passedGates.every(Boolean),
      },
    ],
    passed: passedGates.every(Boolean),
  });
}

async function run(root: string, id: string, files: Record<string, string>): Promise<void> {
  await mkdir(join(root, id), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, id, name), text);
}

describe('dashboard run index', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'clinsim-dash-index-'));
    root = join(base, 'runs');
    await mkdir(root);
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('lists runs newest first with the baseline headline and the failed gates', async () => {
    await run(root, '20260301T020000-aaaaaa', { 'manifest.json': manifest('a', '2026-03-01T02:00:00Z'), 'report.json': report('a', '2026-03-01T02:00:00Z', 0.81, [true, false]) });
    await run(root, '20260303T020000-cccccc', { 'manifest.json': manifest('c', '2026-03-03T02:00:00Z'), 'report.json': report('c', '2026-03-03T02:00:00Z', 0.83, [true, true]) });
    await run(root, '20260302T020000-bbbbbb', { 'manifest.json': manifest('b', '2026-03-02T02:00:00Z', 'interrupted') });
    const index = await indexRuns(root);
    expect(index.runs.map((r) => r.id)).toEqual(['20260303T020000-cccccc', '20260302T020000-bbbbbb', '20260301T020000-aaaaaa']);
    const [c, b, a] = index.runs;
    expect(c!.passed).toBe(true);
    expect(a!.passed).toBe(false);
    expect(a!.scenarios[0]).toMatchObject({ name: 'nightly', passed: false, gates: 2, failedGates: 1 });
    expect(a!.scenarios[0]!.headline).toEqual({ metric: 'auroc', arm: 'baseline', point: { value: 0.81, ci: [0.7, 0.9] } });
    expect(b).toMatchObject({ status: 'interrupted', passed: null, report: null, problems: [] });
    expect(b!.scenarios).toEqual([{ name: 'nightly', task: 'sepsis', passed: null, gates: 0, failedGates: 0, headline: null }]);
    expect(index.total).toBe(3);
  });

  it('shows corrupt and incomplete folders with what is wrong, and skips what is not a run folder', async () => {
    await run(root, 'bad-json', { 'manifest.json': '{"runId": ' });
    await run(root, 'bad-shape', { 'manifest.json': JSON.stringify({ runId: 'x', status: 'finished', startedAt: 'yesterday' }) });
    await run(root, 'bad-report', { 'manifest.json': manifest('r', '2026-03-01T02:00:00Z'), 'report.json': JSON.stringify({ schemaVersion: 2 }) });
    await run(root, 'empty', {});
    await run(root, '.hidden', { 'manifest.json': manifest('h', '2026-03-01T02:00:00Z') });
    await writeFile(join(root, 'stray.txt'), 'not a run');
    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'TOP-SECRET first bytes');
    await run(root, 'linked-manifest', {});
    await symlink(join(outside, 'secret.txt'), join(root, 'linked-manifest', 'manifest.json'));
    await symlink(outside, join(root, 'escape'));

    const index = await indexRuns(root);
    const byId = new Map(index.runs.map((r) => [r.id, r]));
    expect([...byId.keys()].sort()).toEqual(['bad-json', 'bad-report', 'bad-shape', 'empty', 'linked-manifest']);
    expect(byId.get('bad-json')).toMatchObject({ status: 'unreadable', problems: [expect.stringMatching(/^manifest\.json: not JSON/)] });
    expect(byId.get('bad-shape')!.problems[0]).toMatch(/^manifest\.json: status: /);
    expect(byId.get('bad-report')).toMatchObject({ status: 'complete', report: null, problems: [expect.stringMatching(/^report\.json: schemaVersion: /)] });
    expect(byId.get('empty')).toMatchObject({ status: 'unreadable', problems: ['manifest.json: missing'], files: [] });
    expect(byId.get('linked-manifest')!.problems).toEqual(['manifest.json: not a file inside the run folder']);
    expect(JSON.stringify(index)).not.toContain('TOP-SECRET');
  });

  it('reads the newest runs up to the limit and counts the rest', async () => {
    for (let day = 1; day <= 9; day++) {
      const at = `2026-03-0${day}T02:00:00Z`;
      await run(root, `2026030${day}T020000-00000${day}`, { 'manifest.json': manifest(`r${day}`, at) });
    }
    // A folder named with --out has no stamp: its modification time ranks it.
    await run(root, 'named-run', { 'manifest.json': manifest('named', '2026-03-20T02:00:00Z') });
    await utimes(join(root, 'named-run'), new Date('2026-03-20T02:00:00Z'), new Date('2026-03-20T02:00:00Z'));
    const index = await indexRuns(root, 4);
    expect(index.total).toBe(10);
    expect(index.limit).toBe(4);
    expect(index.runs.map((r) => r.id)).toEqual(['named-run', '20260309T020000-000009', '20260308T020000-000008', '20260307T020000-000007']);
  });

  it('answers an empty index for a runs folder that does not exist', async () => {
    expect(await indexRuns(join(base, 'nowhere'))).toEqual({ root: null, runs: [], total: 0, limit: 200 });
  });
});
