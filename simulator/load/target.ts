import { AdapterError, statusOf, type Adapter, type ModelInput } from '../../adapters/adapter.ts';
import type { HttpJsonRequest } from '../../adapters/http-json.ts';
import { featureRowOf } from '../cohort/feature-row.ts';
import type { CohortOptions, TaskDefinition } from '../cohort/task.ts';
import type { WireRequests } from './closed-model.ts';
import type { Send, SendResult } from './open-model.ts';
import type { LoadTarget } from './run-load.ts';

/** Default number of distinct cohort cases a load phase cycles through. */
export const DEFAULT_LOAD_BODIES = 200;

/** The first `count` cases of a cohort as ModelInputs (the real bodies load phases replay). */
export function cohortInputs(task: TaskDefinition, cohort: CohortOptions, count = DEFAULT_LOAD_BODIES): ModelInput[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, caseIndex) => {
    const { bundle } = task.generate(cohort, caseIndex);
    const features = featureRowOf(task, bundle);
    return { task: task.name, caseIndex, bundle, ...(features ? { features } : {}) };
  });
}

/** Sends through an adapter, one attempt, no retry: failures become their AdapterError type. */
export function adapterSend(adapter: Adapter): Send<ModelInput> {
  return async (input, signal): Promise<SendResult> => {
    try {
      const prediction = await adapter.invoke(input, { signal, attempt: 1 });
      const status = statusOf(prediction);
      return status === undefined ? { ok: true } : { ok: true, status };
    } catch (error) {
      if (error instanceof AdapterError) {
        const status = error.details.status;
        return status === undefined ? { ok: false, errorType: error.type } : { ok: false, status, errorType: error.type };
      }
      return { ok: false, errorType: 'transport' };
    }
  };
}

/**
 * The http-json adapter's wire encoding of each input, pre-serialised exactly as
 * `adapters/http-json.ts` sends it (body template, credentials and all).
 */
export function httpJsonWire(request: HttpJsonRequest, inputs: readonly ModelInput[]): WireRequests {
  return { url: request.endpoint, method: 'POST', headers: request.headers, bodies: inputs.map((input) => Buffer.from(request.body(input), 'utf8')) };
}

/** A load target over an adapter; an http-json target's request form lets closed phases replay the wire form. */
export function adapterLoadTarget(adapter: Adapter, inputs: readonly ModelInput[], wire?: HttpJsonRequest): LoadTarget<ModelInput> {
  const send = adapterSend(adapter);
  return wire === undefined ? { bodies: inputs, send } : { bodies: inputs, send, wire: httpJsonWire(wire, inputs) };
}
