import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TargetOf } from '../simulator/targets/index.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { abortFailure, onceUnlessUnanswered, shortZodMessage, validatePrediction, untilAborted } from './failures.ts';
import { exchangeJson, splitCredentials, withStatus } from './http-exchange.ts';
import { InferenceResponse, inferenceRequest, inputMismatch, leaves, ModelMetadata, modelUrls, v2ErrorMessage } from './kserve-wire.ts';

type KserveTarget = TargetOf<'kserve'>;
/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type KserveOptions = Pick<KserveTarget, 'url'> &
  Partial<Pick<KserveTarget, 'output'>> & {
    /** Extra headers, e.g. credentials (adapters/auth.ts). */
    readonly headers?: Readonly<Record<string, string>>;
    /** Deadline of the metadata request (default 10 s). */
    readonly metadataTimeoutMs?: number;
  };

const DEFAULT_METADATA_TIMEOUT_MS = 10_000;

/**
 * Open Inference Protocol V2 adapter (KServe, Triton, MLServer), HTTP/REST. The case is sent as the
 * task's tabular feature row (`ModelInput.features`), one FP64 tensor per column (layout and the
 * encoding of a missing value: kserve-wire.ts).
 *
 * 1. **Metadata**, once per adapter: `GET {url}` (`$metadata_model_response`). The model's declared
 *    input names must be exactly the row's columns; otherwise every call fails with
 *    `invalid-response` naming the inputs missing on either side, before any inference request. A
 *    model that declares no inputs (`[]` or none: servers without a signature) is not checked.
 *    When the target names an `output` and the metadata lists outputs, it must be one of them. The
 *    first call runs it (its latency counts) and `health()` runs it; one that got no answer
 *    (transport, timeout, HTTP status) is tried again by the next call, one that answered wrongly
 *    fails every call.
 * 2. **The call**: `POST {url}/infer` (`$inference_request`, fresh uuid `id`).
 * 3. **The reply** must be an `$inference_response` whose `id`, when present, is the one sent. The
 *    score is the single element of the target's `output` (default: the first output): a number in
 *    [0, 1]. An output with more elements (e.g. both class probabilities, shape [1, 2]) is refused
 *    rather than guessed at: name the positive-class output, or have the model answer one score.
 *
 * `health()`: `GET {url}/ready` must answer 2xx (the V2 health API; an empty body or
 * `{ "ready": true }`), then the metadata step.
 *
 * Failure mapping, as for every HTTP adapter (http-exchange.ts), plus:
 *
 * | what happens                                                 | FailureType        | details |
 * | ------------------------------------------------------------ | ------------------ | ------- |
 * | status outside 200–299 (message: the body's `error`)          | `http-status`      | status, retryAfterMs |
 * | the case has no feature row (bundle too malformed to tabulate) | `invalid-response` | (no request sent) |
 * | metadata not a `$metadata_model_response`, or no such output   | `invalid-response` | status |
 * | declared inputs do not match the row's columns                 | `invalid-response` | (no inference request sent) |
 * | reply not an `$inference_response`, wrong id, output missing, not exactly one element, not a number in [0, 1] | `invalid-response` | status |
 */
export function kserveAdapter(options: KserveOptions): Adapter {
  const { endpoint, authorization, display } = splitCredentials(options.url);
  const urls = modelUrls(endpoint);
  const shown = modelUrls(display);
  const headers: Record<string, string> = { accept: 'application/json', ...(authorization ? { authorization } : {}), ...options.headers };
  const metadataTimeoutMs = options.metadataTimeoutMs ?? DEFAULT_METADATA_TIMEOUT_MS;
  const metadataWhat = `GET ${shown.model}`;

  // A metadata request that got no answer is tried again by the next call.
  const readMetadata = onceUnlessUnanswered(() => fetchMetadata());

  const fetchMetadata = async (): Promise<ModelMetadata> => {
    const signal = AbortSignal.timeout(metadataTimeoutMs);
    const { json, status } = await exchangeJson(
      { url: urls.model, method: 'GET', headers, signal, what: metadataWhat },
      { errorMessage: v2ErrorMessage },
    );
    const parsed = ModelMetadata.safeParse(json);
    if (!parsed.success) {
      throw new AdapterError('invalid-response', `${metadataWhat}: not V2 model metadata: ${shortZodMessage(parsed.error)}`, { status, cause: parsed.error });
    }
    const names = (parsed.data.outputs ?? []).map((t) => t.name);
    if (options.output !== undefined && names.length > 0 && !names.includes(options.output)) {
      throw new AdapterError('invalid-response', `${metadataWhat} declares no output "${options.output}" (outputs: ${names.join(', ') || 'none'})`, { status });
    }
    return parsed.data;
  };

  const inferWhat = `POST ${shown.infer}`;

  return {
    kind: 'kserve',
    async health(): Promise<void> {
      const what = `GET ${shown.ready}`;
      const { json, status } = await exchangeJson(
        { url: urls.ready, method: 'GET', headers, signal: AbortSignal.timeout(metadataTimeoutMs), what },
        { errorMessage: v2ErrorMessage, emptyBody: 'allowed' },
      );
      if (ReadyFalse.safeParse(json).success) throw new AdapterError('invalid-response', `${what}: the model reports it is not ready`, { status });
      await readMetadata();
    },
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      if (signal.aborted) throw abortFailure(signal, inferWhat);
      const row = input.features;
      if (!row) {
        throw new AdapterError(
          'invalid-response',
          `case ${input.caseIndex} has no tabular feature row (its bundle is too malformed to tabulate), so there is nothing to send to a tabular model`,
        );
      }
      const model = await untilAborted(readMetadata(), signal, metadataWhat);
      const mismatch = inputMismatch(model, row.columns);
      if (mismatch) throw new AdapterError('invalid-response', `${metadataWhat}: inputs do not match the ${input.task} feature row: ${mismatch}`);

      const id = randomUUID();
      const declared = new Map((model.inputs ?? []).map((t) => [t.name, t.datatype]));
      const { json, status } = await exchangeJson(
        {
          url: urls.infer,
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(inferenceRequest(row, id, declared)),
          signal,
          what: inferWhat,
        },
        { errorMessage: v2ErrorMessage },
      );
      const reply = InferenceResponse.safeParse(json);
      if (!reply.success) {
        throw new AdapterError('invalid-response', `not a V2 inference response: ${shortZodMessage(reply.error)}`, { status, cause: reply.error });
      }
      const { outputs, id: answered } = reply.data;
      if (answered !== undefined && answered !== null && answered !== id) {
        throw new AdapterError('invalid-response', `reply id "${answered.slice(0, 60)}" is not the request's id "${id}"`, { status });
      }
      const output = options.output === undefined ? outputs[0]! : outputs.find((o) => o.name === options.output);
      if (!output) {
        throw new AdapterError('invalid-response', `reply has no output "${options.output}" (outputs: ${outputs.map((o) => o.name).join(', ')})`, { status });
      }
      const { first, count } = leaves(output.data);
      const declaredCount = output.shape.reduce((a, b) => a * b, 1);
      if (count !== 1 || declaredCount !== 1) {
        throw new AdapterError(
          'invalid-response',
          `output "${output.name}" holds ${count} element(s) (shape [${output.shape.join(', ')}]); expected one score for the one row sent`,
          { status },
        );
      }
      if (typeof first !== 'number') {
        throw new AdapterError('invalid-response', `output "${output.name}" element is ${first === null ? 'null' : typeof first}, expected a number`, { status });
      }
      let prediction: Prediction;
      try {
        prediction = validatePrediction({ score: first });
      } catch (error) {
        throw withStatus(error, status);
      }
      recordStatus(prediction, status);
      return prediction;
    },
  };
}

/** A model-ready body that says the model is not ready (`$ready_model_response`). */
const ReadyFalse = z.object({ ready: z.literal(false) });

