import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';

/**
 * `clinsim run` of a med-safety scenario without a target: the runner spawns the reference models
 * and calls the CDS service through the cds-hooks adapter (REFERENCE_TARGET); the baseline arm
 * already shows the service's term-type gap as missed critical alerts.
 */

const loaded = (input: ScenarioInput): LoadedScenario => ({ scenario: Scenario.parse(input), file: null, contentHash: 'test' });

describe('med-safety against the bundled reference service', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-med-safety-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches /cds-services/med-safety through cds-hooks; missed-critical-alert fires, false-alert does not', async () => {
    const result = await executeRun({
      runId: 'med-safety-ref',
      runDir: join(dir, 'run'),
      signal: new AbortController().signal,
      resamples: 50,
      scenarios: [loaded({ name: 'med-safety-reference', task: 'med-safety', cohort: { size: 200, seed: 5 }, arms: { baseline: [] } })],
    });
    expect(result.manifest.status).toBe('complete');
    expect(result.manifest.scenarios[0]!.target).toMatchObject({ adapter: 'cds-hooks', url: expect.stringMatching(/\/cds-services\/med-safety$/), reference: true });
    const arm = result.report!.scenarios[0]!.arms[0]!;
    expect(arm.outcomes).toMatchObject({ ok: 200, error: 0, timeout: 0, invalid: 0 });
    const byCheck = arm.safety.byCheck;
    expect(byCheck['missed-critical-alert']!.count).toBeGreaterThan(0);
    expect(byCheck['missed-critical-alert']!.rate).toBeLessThan(0.3);
    expect(byCheck['false-alert']!.count).toBe(0);
    expect(byCheck['malformed-card']!.count).toBe(0);
  });
});
