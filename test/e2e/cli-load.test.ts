import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Report } from '../../simulator/metrics/report-types.ts';
import { renderRunReports } from '../../simulator/run/run-files.ts';
import { clinsim } from './cli.ts';

const scenario = (gates: string) => `import { defineScenario } from 'clinsim';
export default defineScenario({
  name: 'sepsis-load', task: 'sepsis', cohort: { size: 60, seed: 3 },
  arms: { baseline: [] },
  load: [
    { name: 'during-arms', executor: 'constant-arrival-rate', rate: 20, duration: '2s', background: true },
    { name: 'peak', executor: 'constant-arrival-rate', rate: 40, duration: '2s' },
    { name: 'closed', executor: 'closed', connections: 2, duration: '1s' },
  ],
  gates: ${gates},
});
`;

describe('load phases in a scenario, as a user runs them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every phase under the scenario load list, gates on them, and renders them again', async () => {
    const file = join(dir, 'load.scenario.ts');
    await writeFile(file, scenario(`{ 'load.p99[peak]': '< 5000', 'load.errorRate': '< 0.01', 'load.throughput[peak]': '>= 1000000' }`));
    const out = join(dir, 'run');
    const result = await clinsim(['run', file, '--out', out, '--quiet', '--resamples', '20']);
    expect(result.code).toBe(1);
    const report = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    const load = report.scenarios[0]!.load;
    expect(load.map((p) => [p.name, p.executor, p.background])).toEqual([
      ['during-arms', 'constant-arrival-rate', true],
      ['peak', 'constant-arrival-rate', false],
      ['closed', 'closed', false],
    ]);
    const peak = load[1]!;
    expect(peak.requests).toBeGreaterThan(60);
    expect(peak.latency!.p50).toBeLessThanOrEqual(peak.latency!.p999);
    expect(peak.latency!.p999).toBeLessThanOrEqual(peak.latency!.max);
    expect(peak.throughput).toBeGreaterThan(20);
    expect(report.scenarios[0]!.gates.map((g) => [g.name, g.pass])).toEqual([
      ['load.p99[peak]', true],
      ['load.errorRate[*]', true],
      ['load.throughput[peak]', false],
    ]);
    expect(result.stdout).toContain('load:');
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('| peak | constant-arrival-rate |');
    // The report is a function of the run folder: rendering it again gives the same load figures.
    const again = await renderRunReports(out, { resamples: 20 });
    expect(again.scenarios[0]!.load).toEqual(load);
  });

  it('refuses a load gate naming a phase the scenario does not have', async () => {
    const file = join(dir, 'bad-load.scenario.ts');
    await writeFile(file, scenario(`{ 'load.p99[lunch-peak]': '< 500' }`));
    const result = await clinsim(['run', file, '--out', join(dir, 'bad')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gates.load.p99[lunch-peak]: gate "load.p99[lunch-peak]" names load phase "lunch-peak"');
  });
});
