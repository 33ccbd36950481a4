import { z } from 'zod';
import { CallPolicy, HttpUrl } from './policy.ts';

/** Any endpoint taking JSON: the request body and the reply mapping are declared (adapters/http-json.ts). */
export const HttpJsonTarget = z.strictObject({
  adapter: z.literal('http-json'),
  url: HttpUrl,
  /**
   * Response mapping: dotted paths into the reply for each Prediction field. The default reads
   * `score`, `label` and `text` at the top level.
   */
  response: z
    .strictObject({ score: z.string().optional(), label: z.string().optional(), text: z.string().optional() })
    .optional(),
  ...CallPolicy,
});
