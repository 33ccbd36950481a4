import { AdapterError, type Adapter, type CallContext, type ModelInput, type Prediction } from './adapter.ts';
import { abortFailure, describeError, validatePrediction } from './failures.ts';

/** A model called as a function in this process. */
export type PredictFn = (input: ModelInput) => Prediction | Promise<Prediction>;

export interface InProcessOptions {
  readonly predict: PredictFn;
}

/**
 * Wraps a function as an Adapter. Failure mapping (the runner decides retries from the type):
 *
 * | what happens                                   | FailureType        |
 * | ---------------------------------------------- | ------------------ |
 * | ctx.signal aborts with a `TimeoutError` reason | `timeout`          |
 * | ctx.signal aborts for any other reason         | `transport`        |
 * | `predict` throws or rejects                    | `transport`        |
 * | the value is not a valid Prediction            | `invalid-response` |
 *
 * A throw maps to `transport` (the call got no answer) without a network code, so the runner does
 * not retry it: a crash in this process is most often deterministic, and retrying it would only
 * repeat it. There is no HTTP status to report.
 *
 * The function receives a structured clone of the bundle, so a model that mutates its input cannot
 * change the case the runner journals or sends to other arms. Synchronous code cannot be
 * interrupted: when the deadline passes while it runs, its answer is discarded and the call
 * fails with `timeout`.
 */
export function inProcessAdapter(options: InProcessOptions): Adapter {
  const { predict } = options;
  return {
    kind: 'in-process',
    async invoke(input: ModelInput, ctx: CallContext): Promise<Prediction> {
      const { signal } = ctx;
      if (signal.aborted) throw abortFailure(signal);
      const isolated: ModelInput = { ...input, bundle: structuredClone(input.bundle) };

      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortFailure(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      const answered = Promise.resolve()
        .then(() => predict(isolated))
        .then(
          (value) => value,
          (error: unknown) => {
            if (signal.aborted) throw abortFailure(signal);
            throw new AdapterError('transport', `predict() threw: ${describeError(error)}`, { cause: error });
          },
        );
      try {
        const value = await Promise.race([answered, aborted]);
        if (signal.aborted) throw abortFailure(signal);
        return validatePrediction(value);
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
        // The losing promise of the race must not surface as an unhandled rejection.
        aborted.catch(() => {});
        answered.catch(() => {});
      }
    },
  };
}
