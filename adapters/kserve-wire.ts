import { z } from 'zod';
import type { FeatureRow } from './adapter.ts';

/*
 * Wire format of the Open Inference Protocol V2 over HTTP/REST (the "V2 inference protocol" of
 * KServe, Triton and MLServer: kserve/open-inference-protocol, specification/protocol/inference_rest.md;
 * kserve/kserve docs/predict-api/v2/required_api.md). Only what the kserve adapter sends and reads.
 *
 * The request layout for one case, a row of the task's tabular view (`FeatureRow`):
 *
 *   { "id": "<uuid>", "parameters": { "content_type": "pd" },
 *     "inputs": [ { "name": "<column>", "shape": [1], "datatype": "FP64", "data": [67] }, … ] }
 *
 * - One tensor per feature column, named after the column, shape [1] (one row), in column order.
 *   This is the columnar layout MLServer's Pandas codec reads (`content_type: "pd"` asks it to
 *   decode the inputs as one DataFrame with these column names: what a pipeline fitted on the
 *   `clinsim generate --format csv` table expects); other servers see plain named tensors.
 * - A number is `FP64` (the table's cells are doubles; FP64 keeps them exactly). A string is
 *   `BYTES` with the string as the element.
 * - A missing cell is the element `null`. JSON has no NaN, and the V2 spec defines no missing
 *   value; `null` in a floating-point tensor is what MLServer decodes as NaN (SeldonIO/MLServer
 *   PR #1346, "Document and test behaviour around NaN") and what a model that imputes expects.
 *   Its datatype is the model's declared one when the metadata says BYTES, else FP64.
 * - `id` is a fresh uuid per call; the spec makes the server return it, and a reply carrying
 *   another id is refused (an answer to someone else's request).
 */

/** Parts of a V2 model URL `…/v2/models/{name}[/versions/{v}]` (trailing slash dropped, query kept). */
export interface ModelUrls {
  /** Model metadata: `GET {model}`. */
  readonly model: string;
  /** Inference: `POST {model}/infer`. */
  readonly infer: string;
  /** Model readiness: `GET {model}/ready`. */
  readonly ready: string;
  readonly name: string;
}

/** Throws a plain Error when the URL is not a V2 model URL. */
export function modelUrls(url: string): ModelUrls {
  const parsed = new URL(url);
  const match = /^(.*\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?)\/?$/.exec(parsed.pathname);
  if (!match) throw new Error(`KServe V2 model URL must end in /v2/models/{name}[/versions/{version}], got ${parsed.origin}${parsed.pathname}`);
  const at = (path: string): string => {
    const u = new URL(parsed.href);
    u.pathname = path;
    u.hash = '';
    return u.href;
  };
  return { model: at(match[1]!), infer: at(`${match[1]}/infer`), ready: at(`${match[1]}/ready`), name: decodeURIComponent(match[2]!) };
}

// ---- Schemas ------------------------------------------------------------------------------------

export const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
const Datatype = z.enum(DATATYPES);
const Parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
/** Each dimension an integer representable as an unsigned 64-bit integer; -1 (variable) only in metadata. */
const Shape = z.array(z.number().int().nonnegative());

/** `$metadata_tensor` (Seldon Core 2 adds `parameters`). */
const MetadataTensor = z.object({ name: z.string().min(1), datatype: z.string(), shape: z.array(z.number().int().min(-1)) });

/**
 * `$metadata_model_response`. Read leniently where servers differ: `platform` may be missing or
 * empty, and `inputs` / `outputs` missing or empty (Seldon Core 2's schema makes them optional; a
 * KServe model server whose model declares no signature answers `[]`).
 */
export const ModelMetadata = z.object({
  name: z.string(),
  versions: z.array(z.string()).nullish(),
  platform: z.string().nullish(),
  inputs: z.array(MetadataTensor).nullish(),
  outputs: z.array(MetadataTensor).nullish(),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

/** Tensor data: a flat array of elements, or its nested row-major form. */
const TensorData: z.ZodType<unknown[]> = z.array(z.unknown());

/** `$request_input`, as this adapter builds it. */
export const RequestInput = z.strictObject({
  name: z.string().min(1),
  shape: Shape,
  datatype: Datatype,
  parameters: Parameters.optional(),
  data: TensorData,
});
export type RequestInput = z.infer<typeof RequestInput>;

/** `$inference_request`. */
export const InferenceRequest = z.strictObject({
  id: z.string().optional(),
  parameters: Parameters.optional(),
  inputs: z.array(RequestInput).min(1),
  outputs: z.array(z.strictObject({ name: z.string().min(1), parameters: Parameters.optional() })).optional(),
});
export type InferenceRequest = z.infer<typeof InferenceRequest>;

/** `$response_output` (KServe's model servers send `"parameters": null`). */
const ResponseOutput = z.object({
  name: z.string(),
  shape: Shape,
  datatype: z.string(),
  parameters: Parameters.nullish(),
  data: TensorData,
});

/**
 * `$inference_response`. `model_name` is required by the object's definition but missing from the
 * spec's own example, and not used here, so it may be absent; null optional fields count as absent.
 */
export const InferenceResponse = z.object({
  model_name: z.string().optional(),
  model_version: z.string().nullish(),
  id: z.string().nullish(),
  parameters: Parameters.nullish(),
  outputs: z.array(ResponseOutput).min(1),
});
export type InferenceResponse = z.infer<typeof InferenceResponse>;

/** `$inference_error_response` (and the metadata error object): `{ "error": "…" }`. */
const ErrorResponse = z.object({ error: z.string() });

export function v2ErrorMessage(body: unknown): string | undefined {
  const parsed = ErrorResponse.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
}

// ---- Request ------------------------------------------------------------------------------------

/** The request for one feature row (layout in the module comment). */
export function inferenceRequest(row: FeatureRow, id: string, declared: ReadonlyMap<string, string> = new Map()): InferenceRequest {
  const inputs = row.columns.map((name, i): RequestInput => {
    const cell = row.values[i] ?? null;
    const datatype = typeof cell === 'string' || (cell === null && declared.get(name) === 'BYTES') ? 'BYTES' : 'FP64';
    return { name, shape: [1], datatype, data: [cell] };
  });
  return { id, parameters: { content_type: 'pd' }, inputs };
}

// ---- Metadata check -----------------------------------------------------------------------------

/**
 * Why the model's declared inputs do not match the row's columns (names, both ways), or undefined
 * when they match or the model declares none (nothing to check against). Order does not matter:
 * tensors are matched by name.
 */
export function inputMismatch(metadata: ModelMetadata, columns: readonly string[]): string | undefined {
  if (!metadata.inputs || metadata.inputs.length === 0) return undefined;
  const declared = new Set(metadata.inputs.map((t) => t.name));
  const sent = new Set(columns);
  const missing = [...declared].filter((n) => !sent.has(n));
  const unexpected = columns.filter((c) => !declared.has(c));
  if (missing.length === 0 && unexpected.length === 0) return undefined;
  const list = (names: readonly string[]) => names.slice(0, 8).join(', ') + (names.length > 8 ? ` (+${names.length - 8} more)` : '');
  const parts = [
    ...(missing.length > 0 ? [`model inputs the task's row does not have: ${list(missing)}`] : []),
    ...(unexpected.length > 0 ? [`row columns the model does not declare: ${list(unexpected)}`] : []),
  ];
  return parts.join('; ');
}

// ---- Reply --------------------------------------------------------------------------------------

/** The first leaf element of nested tensor data, and how many leaves there are. */
export function leaves(data: readonly unknown[]): { first: unknown; count: number } {
  let first: unknown;
  let count = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (count === 0) first = value;
    count++;
  };
  walk(data);
  return { first, count };
}
