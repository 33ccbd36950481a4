import type { Target } from '../simulator/scenario.ts';
import type { Adapter } from './adapter.ts';
import { cdsHooksAdapter } from './cds-hooks.ts';
import { httpJsonAdapter } from './http-json.ts';
import { inProcessAdapter } from './in-process.ts';

export type AdapterKind = Target['adapter'];
export type TargetOf<K extends AdapterKind> = Extract<Target, { adapter: K }>;

/**
 * One factory per target kind. Adding a kind to the `Target` schema without a factory here is a
 * compile error, since the map must cover every `Target['adapter']`.
 */
const factories: { readonly [K in AdapterKind]: (target: TargetOf<K>) => Adapter } = {
  'http-json': (target) => httpJsonAdapter({ url: target.url, response: target.response }),
  'in-process': (target) => inProcessAdapter({ predict: target.predict }),
  'cds-hooks': (target) =>
    cdsHooksAdapter({ url: target.url, hook: target.hook, ...(target.fhirServer === undefined ? {} : { fhirServer: target.fhirServer }) }),
};

/** The adapter for a validated target. Throws a plain Error on a configuration problem (e.g. a bad path). */
export function createAdapter(target: Target): Adapter {
  const factory = factories[target.adapter] as (target: Target) => Adapter;
  return factory(target);
}

