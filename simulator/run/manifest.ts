import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.ts';
import { Shard } from './shard.ts';

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
  target: z.object({
    adapter: z.string(),
    url: z.string().nullable(),
    reference: z.boolean(),
    // What else picks the endpoint's behaviour and may be filled at run time (e.g. the openai model
    // from $CLINSIM_OPENAI_MODEL), so resume and merge can refuse a different one. Optional: absent
    // in manifests written before they were recorded, and for targets that have no such field.
    /** openai: the model name sent in every request. */
    model: z.string().optional(),
    /** fhir: the operation called, when the scenario names one. */
    operation: z.string().optional(),
    /** kserve: the output tensor read, when the scenario names one. */
    output: z.string().optional(),
    /** cds-hooks: the hook called. */
    hook: z.string().optional(),
    /** cds-hooks: the fhirServer sent (redacted like url). */
    fhirServer: z.string().optional(),
  }),
  arms: z.array(z.object({ name: z.string(), perturbations: z.array(z.object({ kind: z.string(), params: z.record(z.string(), z.unknown()) })) })),
  gates: z.record(z.string(), z.string()),
  /**
   * sha256 over the NDJSON of every base patient bundle of the whole cohort, in patient order (a
   * shard hashes every patient too, so shards and an unsharded run agree); null until the
   * scenario's cases are all in the journal.
   */
  cohortHash: z.string().nullable(),
  /** Cases of the scenario in the journal (a shard's: its slice; a resumed run's: before and after). */
  cases: z.number().int(),
});
export type ScenarioLineage = z.infer<typeof ScenarioLineage>;

/**
 * What `clinsim run` was asked, so `clinsim run --resume` can carry on with the same scenarios and
 * options. Credentials are never stored: a --target whose URL carried any is stored redacted, and
 * resuming needs the flag again.
 */
export const Invocation = z.object({
  /** Absolute paths of the scenario files, in run order. */
  files: z.array(z.string()),
  seed: z.number().int().nullable(),
  size: z.number().int().nullable(),
  /** The --target flag (adapter and redacted URL), or null without one. */
  target: z.object({ adapter: z.string(), url: z.string() }).nullable(),
  /** True when redacting the --target URL removed something: resuming needs the flag again. */
  targetRedacted: z.boolean(),
  /** --resamples, or null for the default. */
  resamples: z.number().int().nullable(),
});
export type Invocation = z.infer<typeof Invocation>;

export const Manifest = z.object({
  runId: z.string(),
  toolVersion: z.string(),
  nodeVersion: z.string(),
  status: z.enum(['running', 'complete', 'interrupted', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  scenarios: z.array(ScenarioLineage),
  // Optional (absent means null or none) so that manifests written before them still read.
  /** How the run was started; null for a run built in code or merged from shards (not resumable). */
  invocation: Invocation.nullable().optional(),
  /** The slice of every scenario's cases this run holds (`--shard i/N`); null for all of them. */
  shard: Shard.nullable().optional(),
  /** When `clinsim run --resume` took the run up again. */
  resumedAt: z.array(z.string()).optional(),
  /** The shard runs a `clinsim merge` folder was made from. */
  mergedFrom: z.array(z.object({ dir: z.string(), runId: z.string(), shard: Shard })).optional(),
  /**
   * The bootstrap resamples a merged folder's report was rendered with (null: the default), so
   * `clinsim report` renders it again identically; a merged folder has no invocation to hold them.
   */
  mergedResamples: z.number().int().nullable().optional(),
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
