import { z } from 'zod';
import type { ModelInput, Prediction } from '../../adapters/adapter.ts';
import { CallPolicy } from './policy.ts';

type PredictFn = (input: ModelInput) => Prediction | Promise<Prediction>;

/** A function in the same process, for scenarios written in code and for tests. */
export const InProcessTarget = z.strictObject({
  adapter: z.literal('in-process'),
  predict: z.custom<PredictFn>((v) => typeof v === 'function', 'must be a function (input) => Prediction'),
  ...CallPolicy,
});
