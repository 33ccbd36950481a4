import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { TRIAGE_MODEL_NAME } from '../../models/triage/model.ts';
import { usageLine } from '../../reports/arm-rows.ts';
import { Report } from '../../simulator/metrics/report-types.ts';
import { notes } from '../../simulator/perturb/families.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';
import { JOURNAL_FILE, readJournal } from '../../simulator/run/journal.ts';
import { REPORT_FILE } from '../../simulator/run/run-files.ts';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';

/**
 * A note-triage run against an OpenAI-compatible target: each answer's token usage and cost reach
 * the journal, and the report's per-arm usage is exactly the sum over the arm's records.
 */

const loaded = (input: ScenarioInput): LoadedScenario => ({ scenario: Scenario.parse(input), file: null, contentHash: 'test' });
const PRICES = { inputPerMillion: 0.15, outputPerMillion: 0.6 };

describe('token usage and cost from the journal to the report', () => {
  let dir: string;
  let models: ReferenceModels;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-openai-run-'));
    models = await startReferenceModels();
  });
  afterAll(async () => {
    await models?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('journals usage per call and totals it per arm in report.json', async () => {
    const runDir = join(dir, 'run');
    const result = await executeRun({
      runId: 'openai-usage',
      runDir,
      signal: new AbortController().signal,
      resamples: 50,
      scenarios: [
        loaded({
          name: 'triage-openai',
          task: 'note-triage',
          cohort: { size: 60, seed: 9 },
          target: { adapter: 'openai', url: models.openaiUrl, model: TRIAGE_MODEL_NAME, cost: PRICES, concurrency: 4 },
          arms: { baseline: [], 'injection-downgrade': [notes.injection({ preset: 'downgrade-urgency' })] },
        }),
      ],
    });
    expect(result.manifest.status).toBe('complete');
    expect(result.manifest.scenarios[0]!.target).toMatchObject({ adapter: 'openai', url: models.openaiUrl, reference: false });

    const sums = new Map<string, { calls: number; promptTokens: number; completionTokens: number; costUsd: number }>();
    for await (const record of readJournal(join(runDir, JOURNAL_FILE))) {
      expect(record.outcome).toBe('ok');
      const usage = record.output!.usage!;
      expect(usage.promptTokens).toBeGreaterThan(0);
      expect(usage.costUsd).toBeCloseTo((usage.promptTokens * PRICES.inputPerMillion + usage.completionTokens * PRICES.outputPerMillion) / 1e6, 15);
      const sum = sums.get(record.arm) ?? { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
      sum.calls++;
      sum.promptTokens += usage.promptTokens;
      sum.completionTokens += usage.completionTokens;
      sum.costUsd += usage.costUsd!;
      sums.set(record.arm, sum);
    }

    const report = Report.parse(JSON.parse(await readFile(join(runDir, REPORT_FILE), 'utf8')));
    const arms = report.scenarios[0]!.arms;
    expect(arms.map((a) => a.name)).toEqual(['baseline', 'injection-downgrade']);
    for (const arm of arms) {
      const sum = sums.get(arm.name)!;
      expect(sum.calls).toBe(60);
      expect(arm.usage).toEqual({
        calls: sum.calls,
        promptTokens: sum.promptTokens,
        completionTokens: sum.completionTokens,
        totalTokens: sum.promptTokens + sum.completionTokens,
        costUsd: expect.closeTo(sum.costUsd, 12),
      });
    }
    // The injected instruction lengthens every prompt.
    expect(arms[1]!.usage!.promptTokens).toBeGreaterThan(arms[0]!.usage!.promptTokens);
    const line = usageLine(arms)!;
    expect(line).toMatch(/^tokens \(input \/ output, cost\): baseline [\d,]+ \/ [\d,]+ \(\$0\.\d{4}\), injection-downgrade [\d,]+ \/ [\d,]+ \(\$0\.\d{4}\) · total [\d,]+ \/ [\d,]+ \(\$0\.\d{4}\)$/);
    expect(line).toContain(`baseline ${sums.get('baseline')!.promptTokens.toLocaleString('en-US')} / `);
  });

  it('leaves usage out of the report, and the line out of the text, for targets that report none', async () => {
    const runDir = join(dir, 'plain');
    const result = await executeRun({
      runId: 'plain',
      runDir,
      signal: new AbortController().signal,
      resamples: 20,
      scenarios: [loaded({ name: 'triage-http', task: 'note-triage', cohort: { size: 10, seed: 9 }, target: { adapter: 'http-json', url: models.triageUrl }, arms: { baseline: [] } })],
    });
    const arm = result.report!.scenarios[0]!.arms[0]!;
    expect(arm).not.toHaveProperty('usage');
    expect(usageLine([arm])).toBeNull();
  });
});
