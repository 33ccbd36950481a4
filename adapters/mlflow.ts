import { z } from 'zod';
import type { TargetOf } from '../simulator/targets/index.ts';
import { AdapterError, recordStatus, type Adapter, type CallContext, type FeatureRow, type ModelInput, type Prediction } from './adapter.ts';
import { abortFailure, shortZodMessage, validatePrediction } from './failures.ts';
import { exchangeJson, splitCredentials, withStatus } from './http-exchange.ts';

/** What the adapter needs of a target; the call policy (timeout, retries, concurrency) is the runner's. */
export type MlflowOptions = Pick<TargetOf<'mlflow'>, 'url'> & {
  /** Extra headers, e.g. credentials (adapters/auth.ts). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of the health probe (default 10 s). */
  readonly healthTimeoutMs?: number;
};

/**
 * MLflow scoring server adapter (`mlflow models serve`, MLflow 2.x and later; the "Inference Server
 * Specification" of mlflow.org's "Deploy MLflow Model as a Local Inference Server").
 *
 * **The call**: `POST {base}/invocations`, `Content-Type: application/json`, the case's tabular
 * feature row (`ModelInput.features`) as a one-row DataFrame in pandas' `split` orientation:
 *
 *   {"dataframe_split": {"columns": ["age_years", …], "data": [[67, 0, …, null, …]]}}
 *
 * Columns in the task's order; a missing cell is `null`, which pandas reads as NaN in a numeric
 * column (MLflow itself writes NaN as null in its JSON input examples, mlflow/mlflow PR #5000).
 *
 * **The reply**: `{"predictions": [p]}` (MLflow 2.x; other top-level keys are allowed) or the bare
 * list `[p]` (MLflow 1.x), with exactly one prediction for the one row sent, a number in [0, 1]:
 * the score. Anything else is `invalid-response`: the MLflow documentation shows no prediction
 * object with a probability field, and a row of class probabilities (`[[0.9, 0.1]]`, a model
 * served with `predict_proba`) is refused rather than guessed at.
 *
 * **Errors**: MLflow answers `{"error_code": "BAD_REQUEST", "message": "…"}`; the failure is
 * `http-status` with the status, and its message carries the error code and message.
 *
 * `health()`: `GET {base}/ping` must answer 2xx (MLflow answers a bare newline).
 *
 * `url` is the server's base or its `/invocations` endpoint; a query string is kept on both paths.
 * A case without a feature row (bundle too malformed to tabulate) fails with `invalid-response`
 * without a request.
 */
export function mlflowAdapter(options: MlflowOptions): Adapter {
  const { endpoint, authorization, display } = splitCredentials(options.url);
  const urls = serverUrls(endpoint);
  const shown = serverUrls(display);
  const headers: Record<string, string> = { accept: 'application/json', ...(authorization ? { authorization } : {}), ...options.headers };
  const what = `POST ${shown.invocations}`;

  return {
    kind: 'mlflow',
    async health(): Promise<void> {
      await exchangeJson(
        { url: urls.ping, method: 'GET', headers, signal: AbortSignal.timeout(options.healthTimeoutMs ?? 10_000), what: `GET ${shown.ping}` },
        { errorMessage: mlflowErrorMessage, emptyBody: 'allowed' },
      );
    },
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      if (signal.aborted) throw abortFailure(signal, what);
      if (!input.features) {
        throw new AdapterError(
          'invalid-response',
          `case ${input.caseIndex} has no tabular feature row (its bundle is too malformed to tabulate), so there is nothing to send to a tabular model`,
        );
      }
      const { json, status } = await exchangeJson(
        {
          url: urls.invocations,
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(dataframeSplit(input.features)),
          signal,
          what,
        },
        { errorMessage: mlflowErrorMessage },
      );
      const reply = InvocationsReply.safeParse(json);
      if (!reply.success) {
        throw new AdapterError('invalid-response', `not an MLflow scoring reply: ${shortZodMessage(reply.error)}`, { status, cause: reply.error });
      }
      const predictions = Array.isArray(reply.data) ? reply.data : reply.data.predictions;
      if (predictions.length !== 1) {
        throw new AdapterError('invalid-response', `reply has ${predictions.length} predictions for the one row sent`, { status });
      }
      let prediction: Prediction;
      try {
        prediction = validatePrediction({ score: predictions[0] });
      } catch (error) {
        throw withStatus(error, status);
      }
      recordStatus(prediction, status);
      return prediction;
    },
  };
}

/** `{base}/invocations` and `{base}/ping` from a base or an `…/invocations` URL (query kept). */
export function serverUrls(url: string): { invocations: string; ping: string } {
  const parsed = new URL(url);
  parsed.hash = '';
  const base = parsed.pathname.replace(/\/+$/, '').replace(/\/invocations$/, '');
  const at = (path: string): string => {
    const u = new URL(parsed.href);
    u.pathname = `${base}${path}`;
    return u.href;
  };
  return { invocations: at('/invocations'), ping: at('/ping') };
}

/** The request body: one row in pandas' `split` orientation. */
export function dataframeSplit(row: FeatureRow): DataframeSplitRequest {
  return { dataframe_split: { columns: [...row.columns], data: [row.values.map((v) => v ?? null)] } };
}

const Cell = z.union([z.number(), z.string(), z.null()]);

/** The request as this adapter sends it (and as the reference server accepts it). */
export const DataframeSplitRequest = z.strictObject({
  dataframe_split: z.strictObject({
    columns: z.array(z.string()).min(1),
    data: z.array(z.array(Cell)).min(1),
    /** pandas' `to_dict(orient="split")` includes the row labels; never sent, accepted by servers. */
    index: z.array(z.union([z.number(), z.string()])).optional(),
  }),
});
export type DataframeSplitRequest = z.infer<typeof DataframeSplitRequest>;

/** The scoring reply: MLflow 2.x wraps the predictions, 1.x answered the bare list. */
export const InvocationsReply = z.union([z.object({ predictions: z.array(z.unknown()) }), z.array(z.unknown())]);

/** MLflow's error body (an `MlflowException` serialised): `{ error_code, message, stack_trace? }`. */
const MlflowError = z.object({ error_code: z.string(), message: z.string() });

export function mlflowErrorMessage(body: unknown): string | undefined {
  const parsed = MlflowError.safeParse(body);
  return parsed.success ? `${parsed.data.error_code}: ${parsed.data.message}` : undefined;
}
