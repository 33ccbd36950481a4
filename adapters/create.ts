import type { AdapterKind, Target, TargetOf } from '../simulator/targets/index.ts';
import type { Adapter } from './adapter.ts';
import { authHeaders } from './auth.ts';
import { cdsHooksAdapter } from './cds-hooks.ts';
import { fhirAdapter } from './fhir.ts';
import { httpJsonAdapter } from './http-json.ts';
import { inProcessAdapter } from './in-process.ts';
import { kserveAdapter } from './kserve.ts';
import { mlflowAdapter } from './mlflow.ts';
import { openAiAdapter } from './openai.ts';

export type { AdapterKind, TargetOf } from '../simulator/targets/index.ts';

/** Extra headers every request of the target carries: its credentials. */
type Headers = Readonly<Record<string, string>>;

/**
 * One factory per target kind. Adding a kind to the `Target` schema without a factory here is a
 * compile error, since the map must cover every `Target['adapter']`.
 */
const factories: { readonly [K in AdapterKind]: (target: TargetOf<K>, headers: Headers) => Adapter } = {
  'http-json': (target, headers) => httpJsonAdapter({ url: target.url, response: target.response, headers, ...(target.request ? { request: target.request } : {}) }),
  'in-process': (target) => inProcessAdapter({ predict: target.predict }),
  'cds-hooks': (target, headers) =>
    cdsHooksAdapter({ url: target.url, hook: target.hook, headers, ...(target.fhirServer === undefined ? {} : { fhirServer: target.fhirServer }) }),
  kserve: (target, headers) => kserveAdapter({ url: target.url, headers, ...(target.output === undefined ? {} : { output: target.output }) }),
  mlflow: (target, headers) => mlflowAdapter({ url: target.url, headers }),
  openai: (target, headers) => openAiAdapter({ ...target, headers }),
  fhir: (target, headers) => fhirAdapter({ ...target, headers }),
};

/**
 * The adapter for a validated target, its credentials read from `env`. Throws a plain Error on a
 * configuration problem (e.g. a bad path) and MissingCredentialError when a named variable is unset.
 */
export function createAdapter(target: Target, env: NodeJS.ProcessEnv = process.env): Adapter {
  const factory = factories[target.adapter] as (target: Target, headers: Headers) => Adapter;
  return factory(target, authHeaders(target.auth, env));
}
