import { z } from 'zod';

export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name, e.g. MODEL_TOKEN');
const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name, e.g. X-API-Key');

/**
 * Credentials come from the environment, named here, so that a scenario file holds no secret and
 * no output file can echo one: `{ bearerEnv }` sends `Authorization: Bearer <value>`,
 * `{ header, valueEnv }` sends `<header>: <value>`.
 */
export const Auth = z.union([
  z.strictObject({ bearerEnv: EnvName }),
  z.strictObject({ header: HeaderName, valueEnv: EnvName }),
]);
export type Auth = z.infer<typeof Auth>;

/** Call policy and credentials, shared by every target kind. */
export const CallPolicy = {
  /** Deadline of one attempt. */
  timeoutMs: z.number().int().positive().max(600_000).default(10_000),
  /** Most calls in flight at once (adaptive concurrency lowers it on 429 and recovers). */
  concurrency: z.number().int().positive().max(1024).default(8),
  /** Retries of a transient failure (refused/reset, 429, 502, 503, 504); 0 for none. */
  retries: z.number().int().nonnegative().max(10).default(2),
  /** Most calls started per second across the target, retries included; unlimited when absent. */
  rateLimit: z.number().positive().max(1_000_000).optional(),
  auth: Auth.optional(),
};
