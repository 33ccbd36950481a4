import type { Failure, JournalRecord, Outcome } from '../run/journal-record.ts';

/**
 * Whose failure a call without a usable answer is (docs/metrics.md, "Failed calls"):
 * `infrastructure` when the service could not be reached or did not answer with a reply (refused,
 * reset, any non-2xx status, including a 429 or 5xx that outlasted the retries); `model` when it
 * answered, but with nothing the task can use, or too late. A report must never count a
 * saturated gateway as a wrong model, nor hide a model's bad answers among network errors.
 */
export const FAILURE_KINDS = ['infrastructure', 'model'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const KIND: Record<Failure, FailureKind> = {
  transport: 'infrastructure',
  'http-status': 'infrastructure',
  timeout: 'model',
  'invalid-response': 'model',
  'invalid-output': 'model',
};

/** For a record without `failure` (none should lack one): its outcome decides. */
const BY_OUTCOME: Record<Exclude<Outcome, 'ok'>, FailureKind> = {
  error: 'infrastructure',
  timeout: 'model',
  invalid: 'model',
};

/** The kind of a failed call; null for an answered one. */
export function failureKind(record: Pick<JournalRecord, 'outcome' | 'failure'>): FailureKind | null {
  if (record.outcome === 'ok') return null;
  return record.failure === null ? BY_OUTCOME[record.outcome] : KIND[record.failure];
}
