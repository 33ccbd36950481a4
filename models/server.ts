/**
 * The reference model endpoints: clinsim's embedded default target (models/README.md).
 *
 *   POST /predict                  sepsis: a FHIR R4 Bundle (application/fhir+json or application/json) →
 *                                  { score, label, model, version, variant, flags }
 *   POST /triage                   note-triage: a FHIR R4 Bundle with the triage note →
 *                                  { label, esi, text, model, version, variant, flags }
 *   GET  /cds-services             CDS Hooks discovery: { services: [{ id: "med-safety", hook: "order-sign", … }] }
 *   POST /cds-services/med-safety  CDS Hooks order-sign request → { cards }
 *   GET  /health                   { status: "ok", model, version, variant, models }
 *
 * The sepsis model also answers as tabular model servers do, from the task's flat feature row
 * (models/sepsis/feature-row.ts; the same coefficients and flaws as POST /predict):
 *
 *   KServe / Open Inference Protocol V2 (models/protocols/kserve-v2.ts):
 *   GET  /v2, /v2/health/live, /v2/health/ready
 *   GET  /v2/models/sepsis                 model metadata (inputs: the feature columns)
 *   GET  /v2/models/sepsis/ready
 *   POST /v2/models/sepsis/infer           { inputs: [{ name, shape: [n], datatype: "FP64", data }] } → { outputs: [score, label] }
 *   MLflow scoring server (models/protocols/mlflow.ts):
 *   POST /invocations                      { dataframe_split: { columns, data } } → { predictions }
 *   GET  /ping
 *
 * The triage model also answers as an OpenAI-compatible chat endpoint (models/protocols/openai-chat.ts),
 * and the sepsis model as a FHIR operation (models/protocols/fhir-operation.ts):
 *
 *   GET  /v1/models, POST /v1/chat/completions   chat.completion with {"esi": n, "rationale": "…"}
 *   GET  /fhir/metadata, POST /fhir/$sepsis-risk Parameters { bundle } → Parameters { score, label, … }
 *
 * Run it alone with `node --import tsx models/server.ts [--port 5000] [--host 127.0.0.1] [--flaw-free]`.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { createSepsisModel, MODEL_NAME, type SepsisModel } from './sepsis/model.ts';
import type { Variant } from './sepsis/features.ts';
import { createTriageModel, TRIAGE_MODEL_NAME, type TriageModel } from './triage/model.ts';
import { CdsRequest } from './med-safety/request.ts';
import { createMedSafetyService, discoveryDocument, SERVICE_ID, SERVICE_NAME, type MedSafetyService } from './med-safety/service.ts';
import { createSepsisRowModel, sepsisTabularModel } from './sepsis/feature-row.ts';
import { kserveV2Routes } from './protocols/kserve-v2.ts';
import { mlflowRoutes } from './protocols/mlflow.ts';
import { openAiChatRoutes } from './protocols/openai-chat.ts';
import { fhirOperationRoutes } from './protocols/fhir-operation.ts';
import { untilStopped } from '../simulator/cli/until-stopped.ts';
import { listenForUrl } from '../simulator/listen.ts';
import { EXIT } from '../simulator/cli/exit-codes.ts';

export interface ReferenceModelsOptions {
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Default 0: an ephemeral port chosen by the OS. */
  readonly port?: number;
  /** Serve the variant without the documented flaws. */
  readonly flawFree?: boolean;
  /** Fastify request logging (default off). */
  readonly logger?: boolean;
  /** Answer 401 on /v1 (the OpenAI-compatible routes) without `Authorization: Bearer <any token>`. */
  readonly requireBearer?: boolean;
}

export interface ReferenceModels {
  /** Origin, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** The sepsis model's predict endpoint: `${url}/predict`. */
  readonly sepsisUrl: string;
  /** The triage model's endpoint: `${url}/triage`. */
  readonly triageUrl: string;
  /** The CDS Hooks base: `${url}/cds-services` (discovery; the med-safety service is `${cdsUrl}/med-safety`). */
  readonly cdsUrl: string;
  /** The sepsis model as a KServe V2 model: `${url}/v2/models/sepsis` (metadata; `/infer`, `/ready` below it). */
  readonly kserveUrl: string;
  /** The sepsis model as an MLflow scoring server: `${url}` (`/invocations`, `/ping`). */
  readonly mlflowUrl: string;
  /** The triage model as an OpenAI-compatible API base: `${url}/v1` (`/chat/completions`, `/models`). */
  readonly openaiUrl: string;
  /** The sepsis model as a FHIR operation: the FHIR base `${url}/fhir` (`POST /$sepsis-risk`). */
  readonly fhirUrl: string;
  readonly variant: Variant;
  close(): Promise<void>;
}

/** Largest accepted request body. A typical sepsis bundle is about 10 KB. */
export const BODY_LIMIT = 4 * 1024 * 1024;

/** Stable error codes of the JSON error body `{ error: { code, message } }`. */
export type ErrorCode =
  | 'not-a-bundle'
  | 'invalid-json'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'not-found'
  | 'bad-request'
  | 'invalid-request'
  | 'unsupported-hook'
  | 'prefetch-required'
  | 'internal';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a request body is not a Bundle the model can read, or undefined when it is one. */
export function bundleProblem(body: unknown): string | undefined {
  if (!isRecord(body)) return 'body must be a JSON object (a FHIR Bundle)';
  if (body.resourceType !== 'Bundle') {
    return `resourceType must be "Bundle", got ${typeof body.resourceType === 'string' ? JSON.stringify(body.resourceType.slice(0, 40)) : typeof body.resourceType}`;
  }
  if (body.entry !== undefined && !Array.isArray(body.entry)) return 'Bundle.entry must be an array';
  return undefined;
}

function codeFor(error: FastifyError): ErrorCode {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported-media-type';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body-too-large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'invalid-json';
    default:
      return error instanceof SyntaxError ? 'invalid-json' : 'bad-request';
  }
}

/** The fastify app, not listening (tests can use `inject`). */
export function buildReferenceModelsApp(options: Pick<ReferenceModelsOptions, 'flawFree' | 'logger' | 'requireBearer'> = {}): FastifyInstance {
  const sepsis: SepsisModel = createSepsisModel({ flawFree: options.flawFree ?? false });
  const triage: TriageModel = createTriageModel({ flawFree: options.flawFree ?? false });
  const medSafety: MedSafetyService = createMedSafetyService({ flawFree: options.flawFree ?? false });
  const sepsisTabular = sepsisTabularModel(createSepsisRowModel({ flawFree: options.flawFree ?? false }));
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT, forceCloseConnections: true });

  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/fhir+json', 'application/json+fhir'], { parseAs: 'string' }, json);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error(error);
      return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    return reply.code(status).send({ error: { code: codeFor(error), message: error.message.slice(0, 300) } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  app.get('/health', async () => ({
    status: 'ok',
    model: MODEL_NAME,
    version: sepsis.version,
    variant: sepsis.variant,
    models: [
      { name: MODEL_NAME, version: sepsis.version, path: '/predict' },
      { name: TRIAGE_MODEL_NAME, version: triage.version, path: '/triage' },
      { name: SERVICE_NAME, version: medSafety.version, path: `/cds-services/${SERVICE_ID}` },
      { name: MODEL_NAME, version: sepsis.version, path: '/v2/models/sepsis' },
      { name: MODEL_NAME, version: sepsis.version, path: '/invocations' },
      { name: TRIAGE_MODEL_NAME, version: triage.version, path: '/v1/chat/completions' },
      { name: MODEL_NAME, version: sepsis.version, path: '/fhir/$sepsis-risk' },
    ],
  }));

  // The protocols' own error bodies: each registers in its own encapsulated context.
  void app.register(kserveV2Routes([sepsisTabular], sepsis.version), { prefix: '/v2' });
  void app.register(mlflowRoutes(sepsisTabular));
  void app.register(openAiChatRoutes(triage, { requireBearer: options.requireBearer ?? false }), { prefix: '/v1' });
  void app.register(fhirOperationRoutes(sepsis), { prefix: '/fhir' });

  app.post('/predict', async (request, reply) => {
    const problem = bundleProblem(request.body);
    if (problem) return reply.code(400).send({ error: { code: 'not-a-bundle', message: problem } });
    const { score, label, flags } = sepsis.predict(request.body);
    return { score, label, model: MODEL_NAME, version: sepsis.version, variant: sepsis.variant, flags };
  });

  app.post('/triage', async (request, reply) => {
    const problem = bundleProblem(request.body);
    if (problem) return reply.code(400).send({ error: { code: 'not-a-bundle', message: problem } });
    const { label, esi, text, flags } = triage.predict(request.body);
    return { label, esi, text, model: TRIAGE_MODEL_NAME, version: triage.version, variant: triage.variant, flags };
  });

  app.get('/cds-services', async () => discoveryDocument());

  app.post<{ Params: { id: string } }>('/cds-services/:id', async (request, reply) => {
    if (request.params.id !== SERVICE_ID) {
      return reply.code(404).send({ error: { code: 'not-found', message: `no CDS service "${request.params.id.slice(0, 60)}" (services: ${SERVICE_ID})` } });
    }
    const parsed = CdsRequest.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return reply.code(400).send({ error: { code: 'invalid-request', message: `not a CDS Hooks request: ${path}: ${issue.message}` } });
    }
    const hookRequest = parsed.data;
    if (hookRequest.hook !== 'order-sign') {
      return reply
        .code(400)
        .send({ error: { code: 'unsupported-hook', message: `service ${SERVICE_ID} answers the order-sign hook, not "${hookRequest.hook.slice(0, 60)}"` } });
    }
    if (hookRequest.prefetch === undefined) {
      return reply.code(412).send({
        error: { code: 'prefetch-required', message: 'send the prefetch of the discovery document; this service does not query the FHIR server' },
      });
    }
    return { cards: medSafety.evaluate({ ...hookRequest, prefetch: hookRequest.prefetch }) };
  });

  return app;
}

/** Starts the reference models on `host:port` (default 127.0.0.1, ephemeral port). */
export async function startReferenceModels(options: ReferenceModelsOptions = {}): Promise<ReferenceModels> {
  const app = buildReferenceModelsApp(options);
  const host = options.host ?? '127.0.0.1';
  const url = await listenForUrl(app, host, options.port ?? 0, 'reference models');
  let closing: Promise<void> | undefined;
  return {
    url,
    sepsisUrl: `${url}/predict`,
    triageUrl: `${url}/triage`,
    cdsUrl: `${url}/cds-services`,
    kserveUrl: `${url}/v2/models/sepsis`,
    mlflowUrl: url,
    openaiUrl: `${url}/v1`,
    fhirUrl: `${url}/fhir`,
    variant: options.flawFree ? 'flaw-free' : 'flawed',
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}

export const MODELS_HELP = `models [--port N] [--host H] [--flaw-free]   start the reference model endpoints

Serves the reference models until interrupted: sepsis (POST /predict with a FHIR Bundle; also
from its feature row as a KServe V2 model, POST /v2/models/sepsis/infer, and as an MLflow scoring
server, POST /invocations; and as a FHIR operation, POST /fhir/$sepsis-risk), note triage (POST
/triage with a FHIR Bundle; also as an OpenAI-compatible chat model, POST /v1/chat/completions),
the med-safety CDS Hooks service (GET /cds-services, POST /cds-services/med-safety) and GET
/health. They have
deliberate, documented flaws (models/README.md); --flaw-free serves the variants without them.

Options:
  --port N      port to listen on (default 0: an ephemeral port)
  --host H      interface to bind (default 127.0.0.1)
  --flaw-free   serve the variant without the documented flaws
  --verbose     log every request`;

interface TextOut {
  write(text: string): unknown;
}

/**
 * `clinsim models`: starts the endpoints, prints their URLs, and serves until SIGINT/SIGTERM (or
 * `signal`). Returns an exit code: 0 after a clean stop, 2 for bad options, 3 when it cannot listen.
 */
export async function modelsCommand(
  argv: readonly string[],
  io: { stdout: TextOut; stderr: TextOut } = { stdout: process.stdout, stderr: process.stderr },
  signal?: AbortSignal,
): Promise<number> {
  let values: { port?: string; host?: string; 'flaw-free'?: boolean; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'flaw-free': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`clinsim models: ${(error as Error).message}\n\n${MODELS_HELP}\n`);
    return EXIT.badInput;
  }
  if (values.help) {
    io.stdout.write(`${MODELS_HELP}\n`);
    return EXIT.pass;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.stderr.write(`clinsim models: --port must be an integer from 0 to 65535, got "${values.port}"\n`);
    return EXIT.badInput;
  }

  let models: ReferenceModels;
  try {
    models = await startReferenceModels({
      port,
      ...(values.host === undefined ? {} : { host: values.host }),
      flawFree: values['flaw-free'] ?? false,
      logger: values.verbose ?? false,
    });
  } catch (error) {
    io.stderr.write(`clinsim models: cannot listen: ${(error as Error).message}\n`);
    return EXIT.couldNotRun;
  }
  io.stdout.write(
    `reference models (${models.variant}) listening on ${models.url}\n` +
      `  sepsis: POST ${models.sepsisUrl}\n` +
      `  sepsis (KServe V2): POST ${models.kserveUrl}/infer\n` +
      `  sepsis (MLflow): POST ${models.mlflowUrl}/invocations\n` +
      `  sepsis (FHIR operation): POST ${models.fhirUrl}/$sepsis-risk\n` +
      `  triage: POST ${models.triageUrl}\n` +
      `  triage (OpenAI chat): POST ${models.openaiUrl}/chat/completions, model ${TRIAGE_MODEL_NAME}\n` +
      `  med-safety (CDS Hooks): GET ${models.cdsUrl}, POST ${models.cdsUrl}/${SERVICE_ID}\n` +
      `  health: GET ${models.url}/health\n`,
  );

  await untilStopped(signal);
  await models.close();
  return EXIT.pass;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await modelsCommand(process.argv.slice(2));
}
