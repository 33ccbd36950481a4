import { z } from 'zod';
import { CallPolicy, HttpUrl } from './policy.ts';

const ParameterName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must be a FHIR parameter name, e.g. score');

/**
 * A model exposed as a FHIR operation (adapters/fhir.ts): `POST {url}/${operation}` with a
 * Parameters resource carrying the case's Bundle. `url` is the FHIR base, e.g.
 * `http://127.0.0.1:8080/fhir`.
 */
export const FhirTarget = z.strictObject({
  adapter: z.literal('fhir'),
  url: HttpUrl,
  /** The operation, with or without `$`; the task's default when absent (`$sepsis-risk` for sepsis, adapters/fhir.ts). */
  operation: z
    .string()
    .regex(/^\$?[A-Za-z][A-Za-z0-9_-]*$/, 'must be an operation name such as $sepsis-risk')
    .transform((name) => (name.startsWith('$') ? name : `$${name}`))
    .optional(),
  /** Name of the input parameter that carries the Bundle. */
  parameter: ParameterName.default('bundle'),
  /** Names of the output parameters read as the Prediction's fields (default `score`, `label`, `text`). */
  response: z.strictObject({ score: ParameterName.optional(), label: ParameterName.optional(), text: ParameterName.optional() }).optional(),
  ...CallPolicy,
});
