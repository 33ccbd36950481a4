import type { Bundle, FhirResource } from 'fhir/r4.js';
import type { CohortOptions, TaskDefinition } from '../../cohort/task.ts';
import type { SandboxRepository } from './repository.ts';

/**
 * Loading a generated cohort into the sandbox's repository.
 *
 * Each resource is stored under its own id (the generator gives every resource an id equal to the
 * UUID of its `urn:uuid:` fullUrl), and every reference to another entry of the same patient bundle
 * (`urn:uuid:<uuid>`) is rewritten to the literal `Type/id` form a FHIR server returns, e.g.
 * `Observation.subject.reference = "Patient/<uuid>"`. So ids and references are known in advance
 * from the generated bundles (patient i of (task, seed) has the same ids in every run).
 *
 * Resources are written straight into the repository rather than posted as transaction bundles:
 * a transaction `POST` would give every resource a new server-assigned id (that path is what
 * `clinsim generate --to` exercises), and loading directly is several times faster.
 */

export interface LoadResult {
  readonly patients: number;
  readonly resources: number;
  /** Resources per type, in first-seen order. */
  readonly byType: Readonly<Record<string, number>>;
}

/** `fullUrl` → `Type/id` of the bundle's entries that have both. */
export function localReferences(bundle: Bundle): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (entry.fullUrl && r?.id) map.set(entry.fullUrl, `${r.resourceType}/${r.id}`);
  }
  return map;
}

/** A deep copy of the resource with `reference` values found in `map` replaced by their target. */
export function withLiteralReferences<R extends FhirResource>(resource: R, map: ReadonlyMap<string, string>): R {
  return JSON.parse(JSON.stringify(resource), (key, value: unknown) =>
    key === 'reference' && typeof value === 'string' ? (map.get(value) ?? value) : value,
  ) as R;
}

/** Patients between yields to the event loop while loading (so signals and timers run). */
const YIELD_EVERY = 250;

/** Generates patients 0..size-1 of the task and stores their resources in the repository. */
export async function loadCohort(
  repo: SandboxRepository,
  task: TaskDefinition,
  cohort: CohortOptions,
  size: number,
  signal?: AbortSignal,
): Promise<LoadResult> {
  const byType: Record<string, number> = {};
  let resources = 0;
  for (let index = 0; index < size; index++) {
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    const { bundle } = task.generate(cohort, index);
    const map = localReferences(bundle);
    for (const entry of bundle.entry ?? []) {
      if (!entry.resource) continue;
      const resource = withLiteralReferences(entry.resource, map);
      await repo.createResource(resource as Parameters<SandboxRepository['createResource']>[0]);
      byType[resource.resourceType] = (byType[resource.resourceType] ?? 0) + 1;
      resources++;
    }
  }
  return { patients: size, resources, byType };
}
