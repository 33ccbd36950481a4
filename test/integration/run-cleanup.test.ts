/**
 * A run whose journal fails (a full disk, an I/O error) must not hang: executeRun rejects with the
 * journal's error, the manifest says `failed`, and the reference models' child process is stopped
 * (it would otherwise keep the event loop, and the CLI, alive). And the manifest records what
 * picks the endpoint beside its URL, e.g. the openai model, so resume and merge compare it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReferenceModels } from '../../models/server.ts';
import { TRIAGE_MODEL_NAME } from '../../models/triage/model.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';
import { JournalWriter } from '../../simulator/run/journal.ts';
import { readManifest, type Manifest, type ScenarioLineage } from '../../simulator/run/manifest.ts';
import { lineageDifference, ResumeRefusal, verifyScenarios } from '../../simulator/run/resume.ts';
import { Scenario } from '../../simulator/scenario.ts';

/** Every reference-models instance the runs start, to check that each was stopped. */
const started: { models: ReferenceModels; closed: boolean }[] = [];

vi.mock('../../models/spawn.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../models/spawn.ts')>();
  return {
    spawnReferenceModels: async (...args: Parameters<typeof real.spawnReferenceModels>) => {
      const models = await real.spawnReferenceModels(...args);
      const entry = { models, closed: false };
      started.push(entry);
      return {
        ...models,
        close: async () => {
          await models.close();
          entry.closed = true;
        },
      };
    },
  };
});

function noteTriage(): LoadedScenario {
  return {
    scenario: Scenario.parse({ name: 'triage', task: 'note-triage', cohort: { size: 6, seed: 5 }, arms: { baseline: [] } }),
    file: null,
    contentHash: 'test',
  };
}

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinsim-cleanup-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  for (const s of started) await s.models.close();
  await rm(dir, { recursive: true, force: true });
});

describe('executeRun when the journal fails', () => {
  it.each([
    {
      when: 'a write fails mid-run',
      fail: () => vi.spyOn(JournalWriter.prototype, 'append').mockRejectedValue(enospc()),
    },
    {
      when: 'the final sync fails at close',
      fail: () => {
        const close = JournalWriter.prototype.close;
        vi.spyOn(JournalWriter.prototype, 'close').mockImplementation(async function (this: JournalWriter) {
          await close.call(this);
          throw enospc();
        });
      },
    },
    {
      when: 'the journal cannot be opened',
      fail: () => vi.spyOn(JournalWriter, 'open').mockRejectedValue(enospc()),
    },
  ])('rejects, marks the manifest failed and stops the reference models when $when', async ({ when, fail }) => {
    fail();
    const runDir = join(dir, when.replace(/\W+/g, '-'));
    const before = started.length;
    await expect(executeRun({ runId: 'r', runDir, signal: new AbortController().signal, resamples: 10, scenarios: [noteTriage()] })).rejects.toThrow(/ENOSPC/);
    expect(started.length).toBe(before + 1);
    expect(started.at(-1)!.closed).toBe(true);
    // No manifest is written when the journal never opened; otherwise it says the run failed.
    const manifest = await readManifest(join(runDir, 'manifest.json')).catch(() => null);
    if (when === 'the journal cannot be opened') expect(manifest).toBeNull();
    else expect(manifest?.status).toBe('failed');
  });
});

describe('the target in the lineage', () => {
  it('records the openai model of the reference note-triage run, in the manifest and the report', async () => {
    const runDir = join(dir, 'model');
    const result = await executeRun({ runId: 'r', runDir, signal: new AbortController().signal, resamples: 10, scenarios: [noteTriage()] });
    const manifest = await readManifest(join(runDir, 'manifest.json'));
    expect(manifest.scenarios[0]!.target).toMatchObject({ adapter: 'openai', reference: true, model: TRIAGE_MODEL_NAME });
    expect(result.report!.scenarios[0]!.target.model).toBe(TRIAGE_MODEL_NAME);
    expect(started.at(-1)!.closed).toBe(true);
  });

  it('refuses to resume (or merge) with another model, fhir operation, kserve output or cds-hooks hook', () => {
    const base: ScenarioLineage = {
      name: 's',
      task: 'note-triage',
      file: null,
      contentHash: 'h',
      seed: 1,
      size: 10,
      prevalence: null,
      source: null,
      threshold: 0.5,
      repeats: 1,
      target: { adapter: 'openai', url: 'http://127.0.0.1:1/v1', reference: false, model: 'gpt-a' },
      arms: [{ name: 'baseline', perturbations: [] }],
      gates: {},
      cohortHash: null,
      cases: 0,
    };
    const withTarget = (target: Partial<ScenarioLineage['target']>): ScenarioLineage => ({ ...base, target: { ...base.target, ...target } });
    expect(lineageDifference(base, withTarget({}))).toBeNull();
    expect(lineageDifference(base, withTarget({ model: 'gpt-b' }))).toEqual({
      field: 'target',
      was: 'openai http://127.0.0.1:1/v1 (model gpt-a)',
      now: 'openai http://127.0.0.1:1/v1 (model gpt-b)',
    });
    // The reference model starts on a new port each time, but its model name must still agree.
    const reference = withTarget({ reference: true, model: TRIAGE_MODEL_NAME });
    expect(lineageDifference(reference, { ...reference, target: { ...reference.target, url: 'http://127.0.0.1:2/v1' } })).toBeNull();
    expect(lineageDifference(reference, { ...reference, target: { ...reference.target, model: 'other' } })?.field).toBe('target');
    for (const field of ['operation', 'output', 'hook', 'fhirServer'] as const) {
      expect(lineageDifference(withTarget({ [field]: 'x' }), withTarget({ [field]: 'y' }))?.field).toBe('target');
    }
    const manifest = { scenarios: [base] } as unknown as Manifest;
    expect(() => verifyScenarios(manifest, [withTarget({ model: 'gpt-b' })])).toThrow(ResumeRefusal);
    expect(() => verifyScenarios(manifest, [withTarget({ model: 'gpt-b' })])).toThrow(/model gpt-a.*model gpt-b/);
  });
});
