import { z } from 'zod';
import { CallPolicy, HttpUrl } from './policy.ts';

/**
 * An MLflow scoring server (`mlflow models serve`; adapters/mlflow.ts): `url` is its base, or the
 * `…/invocations` endpoint itself. The case is sent as the task's tabular feature row, in the
 * `dataframe_split` format; health is `GET {base}/ping`.
 */
export const MlflowTarget = z.strictObject({
  adapter: z.literal('mlflow'),
  url: HttpUrl,
  ...CallPolicy,
});
