import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.ts';

export const MANIFEST_FILE = 'manifest.json';

export const ScenarioLineage = z.object({
  name: z.string(),
  task: z.string(),
  /** Path of the scenario file as given, or null for a scenario built in code. */
  file: z.string().nullable(),
  /** sha256 of the scenario file's bytes (or of its canonical JSON when built in code). */
  contentHash: z.string(),
  seed: z.number().int(),
  size: z.number().int(),
  prevalence: z.number().nullable(),
  /** FHIR data the cohort was imported from, or null for a generated cohort. */
  source: z.object({ path: z.string(), scope: z.string() }).nullable(),
  threshold: z.number(),
  repeats: z.number().int(),
  target: z.object({ adapter: z.string(), url: z.string().nullable(), reference: z.boolean() }),
  arms: z.array(z.object({ name: z.string(), perturbations: z.array(z.object({ kind: z.string(), params: z.record(z.string(), z.unknown()) })) })),
  gates: z.record(z.string(), z.string()),
  /** sha256 over the NDJSON of every generated base patient bundle, in patient order. */
  cohortHash: z.string().nullable(),
  /** Cases this run carried out. */
  cases: z.number().int(),
});
export type ScenarioLineage = z.infer<typeof ScenarioLineage>;

export const Manifest = z.object({
  runId: z.string(),
  toolVersion: z.string(),
  nodeVersion: z.string(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  scenarios: z.array(ScenarioLineage),
});
export type Manifest = z.infer<typeof Manifest>;

export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(Manifest.parse(manifest), null, 2) + '\n');
}

export async function readManifest(path: string): Promise<Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read manifest (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
