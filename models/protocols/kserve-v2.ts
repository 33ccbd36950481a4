import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isJsonMediaType, rowsOf, type TabularModel } from './tabular-model.ts';

/**
 * Open Inference Protocol V2, HTTP/REST (kserve/open-inference-protocol,
 * specification/protocol/inference_rest.md): tabular reference models served as KServe / Triton
 * would serve them. Register with `app.register(kserveV2Routes(models), { prefix: '/v2' })`.
 *
 *   GET  /v2                                    server metadata { name, version, extensions: [] }
 *   GET  /v2/health/live, /v2/health/ready      { live: true } / { ready: true }
 *   GET  /v2/models/{m}[/versions/{v}]          model metadata: inputs (one FP64 tensor per input,
 *                                               shape [-1]), outputs `score` (FP64) and `label` (INT64)
 *   GET  /v2/models/{m}[/versions/{v}]/ready    { name, ready: true }
 *   POST /v2/models/{m}[/versions/{v}]/infer    inference request → response
 *
 * Strict on input, as a conformance counterpart to the kserve adapter: the body must be an
 * `$inference_request` (no unknown fields), `Content-Type: application/json`, with one tensor per
 * model input, each `FP64` of shape [n] (the same n ≥ 1 for all, n ≤ MAX_ROWS) and flat `data` of n
 * numbers or `null` (a missing value, the MLServer convention for NaN). Requested `outputs` must
 * exist. The response echoes `id` when one was sent. Every error is the protocol's error object
 * `{ "error": "…" }`: 400 for a request the model cannot take, 404 for an unknown model, version or
 * route, 413 / 415 for body size and media type, 500 without details.
 */

const Parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const InferRequest = z.strictObject({
  id: z.string().optional(),
  parameters: Parameters.optional(),
  inputs: z
    .array(
      z.strictObject({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        datatype: z.string(),
        parameters: Parameters.optional(),
        data: z.array(z.unknown()),
      }),
    )
    .min(1),
  outputs: z.array(z.strictObject({ name: z.string(), parameters: Parameters.optional() })).optional(),
});
type InferRequest = z.infer<typeof InferRequest>;

const OUTPUTS = [
  { name: 'score', datatype: 'FP64' },
  { name: 'label', datatype: 'INT64' },
] as const;
type OutputName = (typeof OUTPUTS)[number]['name'];

export const SERVER_NAME = 'clinsim-reference-models';

interface ModelParams {
  name: string;
  version?: string;
}

export function kserveV2Routes(models: readonly TabularModel[], serverVersion: string) {
  const byName = new Map(models.map((m) => [m.name, m]));

  return async function routes(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error(error);
        return reply.code(500).send({ error: 'internal error' });
      }
      return reply.code(status).send({ error: error.message.slice(0, 300) });
    });
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

    /** The model a request names, or undefined after answering 404. */
    const modelOf = (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply): TabularModel | undefined => {
      const { name, version } = request.params;
      const model = byName.get(name);
      if (!model) {
        void reply.code(404).send({ error: `unknown model "${name.slice(0, 60)}" (models: ${[...byName.keys()].join(', ')})` });
        return undefined;
      }
      if (version !== undefined && version !== model.version) {
        void reply.code(404).send({ error: `model "${model.name}" has no version "${version.slice(0, 60)}" (versions: ${model.version})` });
        return undefined;
      }
      return model;
    };

    app.get('/', async () => ({ name: SERVER_NAME, version: serverVersion, extensions: [] }));
    app.get('/health/live', async () => ({ live: true }));
    app.get('/health/ready', async () => ({ ready: true }));

    const metadata = async (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
      const model = modelOf(request, reply);
      if (!model) return reply;
      return {
        name: model.name,
        versions: [model.version],
        platform: 'clinsim_logistic',
        inputs: model.inputs.map((name) => ({ name, datatype: 'FP64', shape: [-1] })),
        outputs: OUTPUTS.map((o) => ({ ...o, shape: [-1] })),
      };
    };
    const ready = async (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
      const model = modelOf(request, reply);
      if (!model) return reply;
      return { name: model.name, ready: true };
    };
    const infer = async (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
      const model = modelOf(request, reply);
      if (!model) return reply;
      if (!isJsonMediaType(request.headers['content-type'])) {
        return reply.code(415).send({ error: `Content-Type must be application/json, got ${String(request.headers['content-type'] ?? 'none').slice(0, 80)}` });
      }
      const parsed = InferRequest.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return reply.code(400).send({ error: `not an inference request: ${issue.path.join('.') || '(root)'}: ${issue.message}` });
      }
      const answer = inferenceAnswer(model, parsed.data);
      if (typeof answer === 'string') return reply.code(400).send({ error: answer });
      return answer;
    };

    for (const base of ['/models/:name', '/models/:name/versions/:version']) {
      app.get(base, metadata);
      app.get(`${base}/ready`, ready);
      app.post(`${base}/infer`, infer);
    }
  };
}

/** The inference response, or why the request cannot be answered. */
function inferenceAnswer(model: TabularModel, request: InferRequest): object | string {
  let rowCount: number | undefined;
  const columns: string[] = [];
  const columnData: unknown[][] = [];
  for (const input of request.inputs) {
    const name = input.name.slice(0, 60);
    if (input.datatype !== 'FP64') return `input ${name}: datatype ${input.datatype.slice(0, 20)}, the model declares FP64`;
    if (input.shape.length !== 1 || input.shape[0]! < 1) return `input ${name}: shape [${input.shape.join(', ')}], expected [n] with n ≥ 1 rows`;
    const n = input.shape[0]!;
    if (rowCount !== undefined && n !== rowCount) return `input ${name}: shape [${n}], other inputs have [${rowCount}]`;
    rowCount = n;
    if (input.data.length !== n || input.data.some(Array.isArray)) return `input ${name}: data must be a flat array of ${n} element(s)`;
    columns.push(input.name);
    columnData.push(input.data);
  }
  const cells = Array.from({ length: rowCount ?? 0 }, (_, r) => columnData.map((data) => data[r]));
  const rows = rowsOf(model, columns, cells);
  if (typeof rows === 'string') return rows;

  const requested = request.outputs?.map((o) => o.name) ?? OUTPUTS.map((o) => o.name);
  for (const name of requested) {
    if (!OUTPUTS.some((o) => o.name === name)) return `unknown output "${name.slice(0, 60)}" (outputs: ${OUTPUTS.map((o) => o.name).join(', ')})`;
  }
  if (new Set(requested).size !== requested.length) return 'an output is requested twice';
  const scored = rows.map((row) => model.score(row));
  const values: Record<OutputName, number[]> = { score: scored.map((s) => s.score), label: scored.map((s) => s.label) };
  return {
    model_name: model.name,
    model_version: model.version,
    ...(request.id === undefined ? {} : { id: request.id }),
    outputs: (requested as OutputName[]).map((name) => ({
      name,
      datatype: OUTPUTS.find((o) => o.name === name)!.datatype,
      shape: [rows.length],
      data: values[name],
    })),
  };
}
