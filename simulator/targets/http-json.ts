import { z } from 'zod';
import { CallPolicy, HttpUrl } from './policy.ts';
import { BodyTemplate } from './request-template.ts';

/** Any endpoint taking JSON: the request body and the reply mapping are declared (adapters/http-json.ts). */
export const HttpJsonTarget = z.strictObject({
  adapter: z.literal('http-json'),
  url: HttpUrl,
  /**
   * Request body template: JSON in which a string value that is exactly `"{{bundle}}"`,
   * `"{{features}}"`, `"{{caseIndex}}"` or `"{{task}}"` is replaced by that value, sent as
   * `application/json`. Without it the body is the FHIR Bundle itself, as `application/fhir+json`.
   */
  request: z.strictObject({ body: BodyTemplate }).optional(),
  /**
   * Response mapping: dotted paths into the reply for each Prediction field. The default reads
   * `score`, `label` and `text` at the top level.
   */
  response: z
    .strictObject({ score: z.string().optional(), label: z.string().optional(), text: z.string().optional() })
    .optional(),
  ...CallPolicy,
});
