import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import { AdapterError, type CallContext, type ModelInput, type Prediction } from '../../adapters/adapter.ts';
import { inProcessAdapter, type PredictFn } from '../../adapters/in-process.ts';
import { createAdapter } from '../../adapters/create.ts';

const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [] };
const input: ModelInput = { task: 'sepsis', caseIndex: 7, bundle };
const ctx = (signal: AbortSignal = new AbortController().signal): CallContext => ({ signal, attempt: 1 });

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterError);
  return error as AdapterError;
}

function timeoutReason(): Error {
  return new DOMException('deadline', 'TimeoutError');
}

describe('in-process adapter', () => {
  it('returns the validated prediction of a sync or async function', async () => {
    const sync = inProcessAdapter({ predict: () => ({ score: 0.25, label: 0 }) });
    expect(sync.kind).toBe('in-process');
    await expect(sync.invoke(input, ctx())).resolves.toEqual({ score: 0.25, label: 0 });
    const async = inProcessAdapter({ predict: async (i) => ({ score: 0.5, text: `case ${i.caseIndex}` }) });
    await expect(async.invoke(input, ctx())).resolves.toEqual({ score: 0.5, text: 'case 7' });
  });

  it('is what createAdapter builds for an in-process target', async () => {
    const adapter = createAdapter({ adapter: 'in-process', predict: () => ({ score: 1 }), timeoutMs: 100, concurrency: 1, retries: 0 });
    expect(adapter.kind).toBe('in-process');
    await expect(adapter.invoke(input, ctx())).resolves.toEqual({ score: 1 });
  });

  it('gives the function a copy, so mutations do not reach the caller', async () => {
    const adapter = inProcessAdapter({
      predict: (i) => {
        i.bundle.entry?.push({ resource: { resourceType: 'Patient' } });
        return { score: 0 };
      },
    });
    await adapter.invoke(input, ctx());
    expect(bundle.entry).toHaveLength(0);
  });

  it('maps an invalid value to invalid-response with the zod path', async () => {
    const adapter = inProcessAdapter({ predict: (() => ({ score: 1.5 })) as PredictFn });
    const error = await failure(adapter.invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.message).toMatch(/score/);
    const notObject = inProcessAdapter({ predict: (() => 'yes') as unknown as PredictFn });
    expect((await failure(notObject.invoke(input, ctx()))).type).toBe('invalid-response');
  });

  it('maps a throw or rejection to transport and keeps the cause', async () => {
    const boom = new Error('model exploded');
    const throws = inProcessAdapter({ predict: () => { throw boom; } });
    const error = await failure(throws.invoke(input, ctx()));
    expect(error.type).toBe('transport');
    expect(error.cause).toBe(boom);
    const rejects = inProcessAdapter({ predict: () => Promise.reject(new TypeError('nope')) });
    expect((await failure(rejects.invoke(input, ctx()))).type).toBe('transport');
  });

  it('maps the deadline abort to timeout without waiting for a hanging function', async () => {
    const adapter = inProcessAdapter({ predict: () => new Promise<Prediction>(() => {}) });
    const started = Date.now();
    const error = await failure(adapter.invoke(input, ctx(AbortSignal.timeout(50))));
    expect(error.type).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('maps an already-aborted deadline to timeout and does not call the function', async () => {
    let calls = 0;
    const adapter = inProcessAdapter({ predict: () => { calls++; return { score: 0 }; } });
    const error = await failure(adapter.invoke(input, ctx(AbortSignal.abort(timeoutReason()))));
    expect(error.type).toBe('timeout');
    expect(calls).toBe(0);
  });

  it('maps other aborts to transport', async () => {
    const controller = new AbortController();
    const adapter = inProcessAdapter({ predict: () => new Promise<Prediction>(() => {}) });
    const pending = adapter.invoke(input, ctx(controller.signal));
    controller.abort(new Error('run cancelled'));
    expect((await failure(pending)).type).toBe('transport');
  });

  it('discards an answer that arrives after the deadline of a blocking function', async () => {
    const controller = new AbortController();
    const adapter = inProcessAdapter({
      predict: () => {
        controller.abort(timeoutReason()); // the deadline passes while synchronous code runs
        return { score: 0.1 };
      },
    });
    expect((await failure(adapter.invoke(input, ctx(controller.signal)))).type).toBe('timeout');
  });
});
