import { z } from 'zod';
import { CallPolicy, HttpUrl } from './policy.ts';

/** `…/v2/models/{name}` or `…/v2/models/{name}/versions/{version}`, a trailing slash and a query allowed. */
export const KSERVE_MODEL_PATH = /\/v2\/models\/[^/?#]+(?:\/versions\/[^/?#]+)?\/?(?:[?#].*)?$/;

/**
 * A model behind the Open Inference Protocol V2 (KServe, Triton, MLServer; adapters/kserve.ts):
 * `url` is the model's URL; the adapter reads its metadata there, probes `{url}/ready` and POSTs
 * `{url}/infer`. The case is sent as the task's tabular feature row.
 */
export const KserveTarget = z.strictObject({
  adapter: z.literal('kserve'),
  url: HttpUrl.refine((url) => KSERVE_MODEL_PATH.test(url), {
    error: 'must be a V2 model URL ending in /v2/models/{name} or /v2/models/{name}/versions/{version}, e.g. http://127.0.0.1:8080/v2/models/sepsis',
  }),
  /** Name of the output tensor whose single element is the score; default: the reply's first output. */
  output: z.string().min(1).max(256).optional(),
  ...CallPolicy,
});
