/** Shared by the reference-model suites (model-*.test.ts): many calls through one adapter. */
import type { Adapter, ModelInput, Prediction } from '../../adapters/adapter.ts';

/** Calls the adapter for every input with bounded concurrency (10 s deadline each); results in input order. */
export async function invokeAll(adapter: Adapter, inputs: readonly ModelInput[], concurrency: number): Promise<Prediction[]> {
  const out = new Array<Prediction>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await adapter.invoke(inputs[i]!, { signal: AbortSignal.timeout(10_000), attempt: 1 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
