import { Client, type FhirResource as KitResource } from 'fhir-kit-client';
import type { Bundle, BundleEntry, FhirResource, OperationOutcome } from 'fhir/r4.js';
import type { CohortOptions, TaskDefinition } from '../cohort/task.ts';

/**
 * Uploads a generated cohort to a FHIR R4 server (`clinsim generate --to <base>`): patients are
 * sent in batches as `transaction` Bundles, one `POST` entry per resource with the generated
 * `urn:uuid:` fullUrl, so the server assigns ids and rewrites the references between a patient's
 * resources (FHIR R4 http.html#trules). The resources' own ids are left out (a create ignores them).
 *
 * Batches go one after another (a transaction is all-or-nothing on a conforming server, so a
 * failed batch leaves the server holding exactly the batches before it). A failure stops the
 * upload with an UploadError naming the batch, its patients and the server's OperationOutcome.
 * Uploading twice creates the patients twice: a create is not idempotent.
 */

/** The server refused a batch, or could not be reached (the CLI exits 3). */
export class UploadError extends Error {
  override readonly name = 'UploadError';
}

export interface UploadProgress {
  readonly patientsDone: number;
  readonly patientsTotal: number;
  readonly batchesDone: number;
  readonly batchesTotal: number;
  readonly resources: number;
}

export interface UploadCohortOptions {
  readonly task: TaskDefinition;
  readonly cohort: CohortOptions;
  /** Patients 0..size-1. */
  readonly size: number;
  /** FHIR base URL, e.g. http://127.0.0.1:8080/fhir/R4 */
  readonly baseUrl: string;
  /** Patients per transaction (default 50). */
  readonly batch?: number;
  readonly signal?: AbortSignal;
  /** Called after each batch the server accepted. */
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Extra request headers (e.g. authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time allowed for one batch's request and answer (default 120 s). */
  readonly timeoutMs?: number;
}

export interface UploadResult {
  readonly patients: number;
  readonly resources: number;
  readonly batches: number;
  /** Resources per type, in first-seen order. */
  readonly byType: Readonly<Record<string, number>>;
  readonly ms: number;
}

export const DEFAULT_UPLOAD_BATCH = 50;
const DEFAULT_TIMEOUT_MS = 120_000;

/** The transaction entries of one patient bundle: a POST per resource, keeping its fullUrl. */
export function transactionEntries(bundle: Bundle): BundleEntry[] {
  const entries: BundleEntry[] = [];
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (!resource) continue;
    const { id, ...rest } = resource;
    const fullUrl = entry.fullUrl ?? (id ? `urn:uuid:${id}` : undefined);
    entries.push({
      ...(fullUrl ? { fullUrl } : {}),
      resource: rest as FhirResource,
      request: { method: 'POST', url: resource.resourceType },
    });
  }
  return entries;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of an OperationOutcome's issues, e.g. `error invalid: Missing required property (Observation.status)`. */
export function describeOutcome(outcome: OperationOutcome): string {
  return (outcome.issue ?? [])
    .map((issue) => {
      const text = issue.diagnostics ?? issue.details?.text ?? '';
      const where = issue.expression?.join(', ') ?? issue.location?.join(', ');
      return `${issue.severity} ${issue.code}${text ? `: ${text}` : ''}${where ? ` (${where})` : ''}`;
    })
    .join('; ');
}

/** What went wrong with a request made by fhir-kit-client: HTTP status and OperationOutcome, or the transport error. */
function describeFailure(error: unknown): string {
  if (isRecord(error) && isRecord(error.response) && typeof error.response.status === 'number') {
    const data = error.response.data;
    if (isRecord(data) && data.resourceType === 'OperationOutcome') {
      return `HTTP ${error.response.status}, OperationOutcome: ${describeOutcome(data as unknown as OperationOutcome)}`;
    }
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return `HTTP ${error.response.status}: ${text.slice(0, 300)}`;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** Checks a transaction-response: one entry per request, each with a 2xx status. */
function responseProblem(response: unknown, expected: number): string | undefined {
  if (!isRecord(response) || response.resourceType !== 'Bundle') return 'the server did not answer with a Bundle';
  const entries = Array.isArray(response.entry) ? (response.entry as BundleEntry[]) : [];
  if (entries.length !== expected) return `the transaction-response has ${entries.length} entries for ${expected} requests`;
  for (const [i, entry] of entries.entries()) {
    const status = entry.response?.status ?? '';
    if (!/^2\d\d/.test(status)) {
      const oo = entry.response?.outcome as OperationOutcome | undefined;
      return `entry ${i} has status "${status}"${oo ? `: ${describeOutcome(oo)}` : ''}`;
    }
  }
  return undefined;
}

/** Uploads patients 0..size-1 of the task in transaction batches; see the module comment. */
export async function uploadCohort(options: UploadCohortOptions): Promise<UploadResult> {
  const { task, cohort, size, baseUrl, signal, onProgress } = options;
  const batch = options.batch ?? DEFAULT_UPLOAD_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a whole number ≥ 1, got ${batch}`);
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a whole number ≥ 0, got ${size}`);
  const client = new Client({ baseUrl: baseUrl.replace(/\/+$/, ''), customHeaders: { ...options.headers } });
  const batchesTotal = Math.ceil(size / batch);
  const byType: Record<string, number> = {};
  let resources = 0;
  const started = performance.now();
  for (let b = 0; b < batchesTotal; b++) {
    signal?.throwIfAborted();
    const first = b * batch;
    const last = Math.min(size, first + batch) - 1;
    const entry: BundleEntry[] = [];
    for (let index = first; index <= last; index++) entry.push(...transactionEntries(task.generate(cohort, index).bundle));
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry };
    const label = `batch ${b + 1} of ${batchesTotal} (patients ${first}..${last}, ${entry.length} resources) to ${baseUrl}`;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: unknown;
    try {
      response = await client.transaction({
        body: bundle as unknown as KitResource,
        options: { signal: signal ? AbortSignal.any([signal, timeout]) : timeout },
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const why = timeout.aborted ? `no answer within ${timeoutMs / 1000} s` : describeFailure(error);
      throw new UploadError(`upload failed at ${label}: ${why}`);
    }
    const problem = responseProblem(response, entry.length);
    if (problem) throw new UploadError(`upload failed at ${label}: ${problem}`);
    for (const e of entry) {
      const type = e.resource!.resourceType;
      byType[type] = (byType[type] ?? 0) + 1;
    }
    resources += entry.length;
    onProgress?.({ patientsDone: last + 1, patientsTotal: size, batchesDone: b + 1, batchesTotal, resources });
  }
  return { patients: size, resources, batches: batchesTotal, byType, ms: performance.now() - started };
}
