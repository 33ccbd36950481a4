import { z } from 'zod';
import type { Bundle } from 'fhir/r4.js';
import type { TaskName } from '../simulator/case.ts';

/** One cell of a tabular feature row: a number, a code, or missing. */
export type FeatureCell = number | string | null;

/**
 * The case as one row of the task's tabular view (the columns of `clinsim generate --format csv`):
 * what the tabular adapters (MLflow, KServe) send. Non-finite numbers are already null.
 */
export interface FeatureRow {
  readonly columns: readonly string[];
  readonly values: readonly FeatureCell[];
}

/** What a model is asked about one case. Adapters encode it to their wire format. */
export interface ModelInput {
  readonly task: TaskName;
  readonly caseIndex: number;
  readonly bundle: Bundle;
  /** The tabular view of `bundle`; absent when the bundle is too malformed to read (fuzzed input). */
  readonly features?: FeatureRow;
}

export interface CallContext {
  readonly signal: AbortSignal;
  /** 1 for the first try. */
  readonly attempt: number;
}

/**
 * Tokens a metered model (an LLM) reports for one answer, and what they cost in USD when the target
 * gives prices. Journalled with the answer, so the report's per-arm totals come from the journal.
 */
export const Usage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

/** A model's answer, normalised across protocols. */
export const Prediction = z.object({
  score: z.number().min(0).max(1).optional(),
  label: z.union([z.number(), z.string()]).optional(),
  text: z.string().optional(),
  cards: z.array(z.unknown()).optional(),
  usage: Usage.optional(),
});
export type Prediction = z.infer<typeof Prediction>;

export interface Adapter {
  readonly kind: string;
  invoke(input: ModelInput, ctx: CallContext): Promise<Prediction>;
  health?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Transport status of the reply a successful Prediction came from (e.g. the HTTP status). The
 * Adapter interface returns a Prediction only, so the status travels beside it, keyed by the
 * returned object: safe under any concurrency. Failed calls carry theirs in AdapterError details.
 */
const statusByPrediction = new WeakMap<Prediction, number>();

export function recordStatus(prediction: Prediction, status: number): void {
  statusByPrediction.set(prediction, status);
}

export function statusOf(prediction: Prediction): number | undefined {
  return statusByPrediction.get(prediction);
}

/** Failure types. Retry and outcome decisions use the type, never an error message's text. */
export const FailureType = z.enum(['transport', 'timeout', 'http-status', 'invalid-response']);
export type FailureType = z.infer<typeof FailureType>;

export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  constructor(
    readonly type: FailureType,
    message: string,
    /**
     * `code`: for a `transport` failure, the network error's code (`ECONNREFUSED`, `UND_ERR_SOCKET`,
     * …) when it had one; the runner retries only the codes of failures/TRANSIENT_NETWORK_CODES.
     */
    readonly details: { status?: number; retryAfterMs?: number; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
}
