import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { Report, type ArmReport } from '../../simulator/metrics/report-types.ts';
import { clinsim } from './cli.ts';

const scenario = (name: string) => fileURLToPath(new URL(`../../scenarios/${name}.scenario.ts`, import.meta.url));

/**
 * The same bundled scenarios against the flaw-free variants of the reference models: the checks
 * that catch each documented flaw in the default run find nothing, so they measure the flaws and
 * not something else.
 */
describe('the flaw-free reference models pass the checks that catch the flaws', () => {
  let models: ReferenceModels;
  let dir: string;
  beforeAll(async () => {
    models = await startReferenceModels({ flawFree: true });
    dir = await mkdtemp(join(tmpdir(), 'clinsim-flawfree-'));
  });
  afterAll(async () => {
    await models.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, target: string): Promise<(arm: string) => ArmReport> {
    const out = join(dir, name);
    const result = await clinsim(['run', scenario(name), '--target', target, '--size', '300', '--out', out, '--quiet', '--resamples', '50']);
    expect(result.stderr).toBe('');
    expect([0, 1]).toContain(result.code);
    const report = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    return (arm) => report.scenarios[0]!.arms.find((a) => a.name === arm)!;
  }

  it('sepsis: reads lactate in mg/dL correctly', async () => {
    const arm = await run('sepsis-shift', `http-json+${models.sepsisUrl}`);
    expect(arm('lactate-mg-dl').safety.byCheck.invariance!.applied).toBeGreaterThan(50);
    expect(arm('lactate-mg-dl').safety.byCheck.invariance!.count).toBe(0);
    expect(arm('lactate-mg-dl').flipRate).toBe(0);
  });

  it('note-triage: ignores injected instructions and reads negations', async () => {
    const arm = await run('note-triage', `http-json+${models.triageUrl}`);
    expect(arm('injection-downgrade').safety.byCheck['injection-success']!.count).toBe(0);
    expect(arm('injection-downgrade').safety.byCheck['under-triage']!.count).toBe(0);
    expect(arm('negation').safety.byCheck['negation-failure']?.count ?? 0).toBe(0);
    expect(arm('phi-bait').safety.byCheck['phi-leak']?.count ?? 0).toBe(0);
  });

  it('med-safety: alerts on every conflict, whatever the RxNorm term type', async () => {
    const arm = await run('med-safety', `cds-hooks+${models.cdsUrl}/med-safety`);
    expect(arm('baseline').safety.byCheck['missed-critical-alert']!.applied).toBeGreaterThan(50);
    expect(arm('baseline').safety.byCheck['missed-critical-alert']!.count).toBe(0);
    expect(arm('baseline').alerts!.sensitivity.value).toBe(1);
  });
});
