import type { TaskName } from '../../case.ts';
import { tasks } from '../../cohort/tasks.ts';
import { BASE_PATH, buildSandboxApp } from './app.ts';
import { loadDefinitions } from './definitions.ts';
import { loadCohort } from './load.ts';
import { SandboxRepository } from './repository.ts';
import { listenForUrl } from '../../listen.ts';

/**
 * FHIR sandbox: a generated cohort served as a FHIR R4 REST server, for models that fetch their
 * own data (CDS Hooks services given a `fhirServer`, SMART apps) and for testing FHIR clients.
 * docs/fhir-sandbox.md describes what it serves and how.
 */

export { BASE_PATH, buildSandboxApp } from './app.ts';
export { SandboxRepository } from './repository.ts';

export interface FhirSandboxOptions {
  readonly task: TaskName;
  /** Patients 0..size-1 are loaded; 0 gives an empty server (e.g. to upload into). */
  readonly size: number;
  readonly seed: number;
  /** Target prevalence; the task default when omitted. */
  readonly prevalence?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Default 0: an ephemeral port chosen by the OS. */
  readonly port?: number;
  /** Fastify request logging (default off). */
  readonly logger?: boolean;
  /** Aborts loading (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

export interface FhirSandbox {
  /** FHIR base URL, e.g. http://127.0.0.1:40123/fhir/R4 (no trailing slash). */
  readonly url: string;
  readonly patients: number;
  readonly resources: number;
  /** Resources loaded per type, in first-seen order. */
  readonly byType: Readonly<Record<string, number>>;
  /** Time spent generating and storing the cohort (excludes loading the FHIR definitions). */
  readonly loadMs: number;
  close(): Promise<void>;
}

/** Generates the cohort, loads it into a FHIR engine and starts serving it. */
export async function startFhirSandbox(options: FhirSandboxOptions): Promise<FhirSandbox> {
  const { size, seed } = options;
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a whole number ≥ 0, got ${size}`);
  const task = tasks[options.task];
  if (!task) throw new RangeError(`unknown task "${options.task}"`);
  const definitions = loadDefinitions();
  const repo = new SandboxRepository();
  const started = performance.now();
  const loaded = await loadCohort(repo, task, { seed, ...(options.prevalence === undefined ? {} : { prevalence: options.prevalence }) }, size, options.signal);
  const loadMs = performance.now() - started;

  const app = buildSandboxApp({ repo, definitions, logger: options.logger ?? false });
  const url = await listenForUrl(app, options.host ?? '127.0.0.1', options.port ?? 0, 'FHIR sandbox');
  let closing: Promise<void> | undefined;
  return {
    url: `${url}${BASE_PATH}`,
    patients: loaded.patients,
    resources: loaded.resources,
    byType: loaded.byType,
    loadMs,
    close: () => (closing ??= app.close().then(() => repo.clear())),
  };
}
