import { z } from 'zod';
import { Estimate, GateResult, Latency, Outcomes } from '../../simulator/metrics/report-types.ts';

/**
 * What the dashboard reads of a run folder's manifest.json and report.json. Looser than the
 * writers' schemas on purpose: only the fields the dashboard shows are required, so runs written
 * by older or newer versions still list and plot instead of turning unreadable.
 */

/** The statuses of manifest.json (simulator/run/manifest.ts). */
export const RunStatus = z.enum(['running', 'complete', 'interrupted', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

export const ManifestView = z.object({
  runId: z.string(),
  toolVersion: z.string().optional(),
  status: RunStatus,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  scenarios: z.array(
    z.object({
      name: z.string(),
      task: z.string(),
      seed: z.number().optional(),
      size: z.number().optional(),
      cases: z.number().optional(),
    }),
  ),
});
export type ManifestView = z.infer<typeof ManifestView>;

export const ArmView = z.object({
  name: z.string(),
  cases: z.number(),
  calls: z.number().optional(),
  outcomes: Outcomes.optional(),
  /** Keyed loosely: a quality metric added later is read, one removed later is simply absent. */
  metrics: z.record(z.string(), Estimate).optional(),
  classes: z.object({ macroF1: Estimate, accuracy: Estimate, underTriage: Estimate }).nullable().optional(),
  alerts: z.object({ sensitivity: Estimate, falseAlertRate: Estimate }).nullable().optional(),
  flipRate: z.number().nullable().optional(),
  latency: Latency.nullable().optional(),
  safety: z
    .object({
      failures: z.number(),
      bySeverity: z.object({ critical: z.number(), major: z.number(), minor: z.number() }),
    })
    .optional(),
});
export type ArmView = z.infer<typeof ArmView>;

export const ScenarioView = z.object({
  name: z.string(),
  task: z.string(),
  seed: z.number().optional(),
  size: z.number().optional(),
  arms: z.array(ArmView),
  gates: z.array(GateResult),
  passed: z.boolean(),
});
export type ScenarioView = z.infer<typeof ScenarioView>;

export const ReportView = z.object({
  schemaVersion: z.literal(1),
  run: z.object({ id: z.string(), startedAt: z.string(), finishedAt: z.string() }),
  scenarios: z.array(ScenarioView),
  passed: z.boolean(),
});
export type ReportView = z.infer<typeof ReportView>;
