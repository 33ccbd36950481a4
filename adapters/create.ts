import type { AdapterKind, Target, TargetOf } from '../simulator/targets/index.ts';
import { recordStatus, statusOf, type Adapter, type Prediction } from './adapter.ts';
import { authHeaders } from './auth.ts';
import { cdsHooksAdapter } from './cds-hooks.ts';
import { fhirAdapter } from './fhir.ts';
import { httpJsonAdapter } from './http-json.ts';
import { inProcessAdapter } from './in-process.ts';
import { kserveAdapter } from './kserve.ts';
import { mlflowAdapter } from './mlflow.ts';
import { openAiAdapter } from './openai.ts';
import { secretScrubber, secretsOf, type Scrubber } from './scrub.ts';

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
  const headers = authHeaders(target.auth, env);
  const adapter = factory(target, headers);
  const secrets = secretsOf(headers, 'url' in target ? target.url : undefined);
  return secrets.length === 0 ? adapter : scrubbed(adapter, secretScrubber({}, secrets));
}

/**
 * `adapter` with its credentials scrubbed from whatever reaches the journal: thrown messages and
 * the Prediction's text and cards. Done here once for every kind, so that a server or a model
 * echoing a key (an auth proxy's 401 body, an answer quoting its prompt's headers) never puts it
 * in an output file, whether or not the adapter scrubs on its own.
 */
function scrubbed(adapter: Adapter, scrub: Scrubber): Adapter {
  const wrapped: Adapter = {
    kind: adapter.kind,
    async invoke(input, ctx) {
      let prediction: Prediction;
      try {
        prediction = await adapter.invoke(input, ctx);
      } catch (error) {
        throw scrub.error(error);
      }
      const clean = scrub.prediction(prediction);
      // The status travels keyed by the Prediction object (adapter.ts): carry it to the new one.
      const status = statusOf(prediction);
      if (clean !== prediction && status !== undefined) recordStatus(clean, status);
      return clean;
    },
  };
  const { health, close } = adapter;
  return {
    ...wrapped,
    ...(health
      ? {
          async health() {
            try {
              await health.call(adapter);
            } catch (error) {
              throw scrub.error(error);
            }
          },
        }
      : {}),
    ...(close ? { close: () => close.call(adapter) } : {}),
  };
}
