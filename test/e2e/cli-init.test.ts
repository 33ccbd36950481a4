import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { Report } from '../../simulator/metrics/report-types.ts';
import { clinsim } from './cli.ts';

const SCENARIO = join('clinsim', 'my-model.scenario.ts');
const WORKFLOW = join('.github', 'workflows', 'clinsim-nightly.yml');

/** The parts of a GitHub Actions workflow this test reads; parsing fails loudly on another shape. */
const Step = z.object({ name: z.string().optional(), id: z.string().optional(), uses: z.string().optional(), run: z.string().optional(), if: z.string().optional(), with: z.record(z.string(), z.unknown()).optional() });
const Workflow = z.object({
  on: z.object({ schedule: z.array(z.object({ cron: z.string() })), workflow_dispatch: z.unknown() }),
  permissions: z.record(z.string(), z.string()),
  env: z.record(z.string(), z.string()),
  jobs: z.record(z.string(), z.object({ 'runs-on': z.string(), steps: z.array(Step) })),
});

describe('clinsim init, as a user runs it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-init-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a starter scenario and a nightly workflow with the steps CI needs', async () => {
    const result = await clinsim(['init', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(join(dir, SCENARIO));
    expect(result.stdout).toContain(join(dir, WORKFLOW));

    const scenario = await readFile(join(dir, SCENARIO), 'utf8');
    expect(scenario).toContain("import { defineScenario, fuzz, missing, shift } from 'clinsim';");
    expect(scenario).toContain("//   url: '${MODEL_URL}/predict',");
    expect(scenario).toContain("//   auth: { bearerEnv: 'MODEL_TOKEN' },");

    const workflow = Workflow.parse(parse(await readFile(join(dir, WORKFLOW), 'utf8')));
    expect(workflow.on.schedule[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(workflow.permissions.checks).toBe('write');
    expect(workflow.env.SCENARIO).toBe('clinsim/my-model.scenario.ts');
    const steps = Object.values(workflow.jobs)[0]!.steps;
    const uses = (action: string) => steps.find((s) => s.uses?.startsWith(`${action}@`));
    expect(uses('actions/checkout')).toBeDefined();
    expect(uses('actions/setup-node')!.with!['node-version']).toBe(20);
    expect(steps.some((s) => s.run?.trim() === 'npm ci')).toBe(true);

    // The last baseline is restored by key prefix before the run, and this run's saved under a new key.
    const restore = uses('actions/cache/restore')!;
    const save = uses('actions/cache/save')!;
    expect(restore.with!.path).toBe(save.with!.path);
    expect(String(save.with!.key).startsWith(String(restore.with!['restore-keys']))).toBe(true);
    const run = steps.find((s) => s.id === 'run')!;
    expect(steps.indexOf(restore)).toBeLessThan(steps.indexOf(run));
    expect(run.run).toContain('npx clinsim run "$SCENARIO" --out "$OUT"');
    expect(run.run).toContain('--baseline "$BASELINE_DIR/report.json"');

    // Reports are published even when the run fails (exit 1): every later step runs unless cancelled.
    const after = steps.slice(steps.indexOf(run) + 1);
    expect(after.every((s) => s.if?.includes('!cancelled()'))).toBe(true);
    expect(after.some((s) => s.run?.includes('>> "$GITHUB_STEP_SUMMARY"'))).toBe(true);
    expect(String(uses('mikepenz/action-junit-report')!.with!.report_paths)).toBe('${{ env.OUT }}/junit.xml');
    const uploaded = String(uses('actions/upload-artifact')!.with!.path);
    for (const file of ['junit.xml', 'report.html', 'report.json', 'summary.md']) expect(uploaded).toContain(`\${{ env.OUT }}/${file}`);
  });

  it('refuses to overwrite, naming the files, unless --force', async () => {
    await writeFile(join(dir, SCENARIO), '// mine\n');
    const again = await clinsim(['init', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${join(dir, SCENARIO)}, ${join(dir, WORKFLOW)} already exist`);
    expect(await readFile(join(dir, SCENARIO), 'utf8')).toBe('// mine\n');

    const forced = await clinsim(['init', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, SCENARIO), 'utf8')).toContain('defineScenario');
  }, 120_000);

  it('gives a starter that runs at once against the reference model and writes the reports', async () => {
    const result = await clinsim(['run', SCENARIO, '--size', '200', '--quiet'], { cwd: dir });
    expect(result.stderr).not.toMatch(/could not run/);
    // The reference model's documented flaws may fail gates (1); bad input (2) or no run (3) may not happen.
    expect([0, 1]).toContain(result.code);
    expect(result.stdout).toContain('my-model (sepsis)');
    const [runId] = await readdir(join(dir, '.clinsim', 'runs'));
    const out = join(dir, '.clinsim', 'runs', runId!);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['junit.xml', 'manifest.json', 'report.json', 'results.jsonl', 'summary.md']));
    const report = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    expect(report.scenarios[0]!.arms.map((a) => a.name)).toEqual(['baseline', 'older-population', 'lactate-mg-dl', 'missing-lactate', 'lab-noise', 'malformed-input']);
    expect(report.scenarios[0]!.arms.every((a) => a.outcomes.ok === a.calls)).toBe(true);
  }, 300_000);
});
