import { z } from 'zod';
import { CallPolicy, HttpUrl } from './policy.ts';

/**
 * A CDS Hooks service (adapters/cds-hooks.ts): `url` is the service's endpoint,
 * `…/cds-services/{id}`; discovery is read from `…/cds-services`.
 */
export const CdsHooksTarget = z.strictObject({
  adapter: z.literal('cds-hooks'),
  url: HttpUrl.refine((url) => /\/cds-services\/[^/?#]+\/?(?:[?#].*)?$/.test(url), {
    error: 'must be a CDS Hooks service URL ending in /cds-services/{id}, e.g. http://127.0.0.1:8090/cds-services/med-safety',
  }),
  hook: z.enum(['order-sign']).default('order-sign'),
  /** Sent as the request's `fhirServer` (the service may query it); prefetch is sent either way. */
  fhirServer: HttpUrl.optional(),
  ...CallPolicy,
});
