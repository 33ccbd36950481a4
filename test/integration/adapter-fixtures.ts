/** Shared setup for the adapter suites (adapters-*.test.ts): the call context, failures, a refused port, sepsis rows. */
import { expect } from 'vitest';
import Fastify from 'fastify';
import { AdapterError, type CallContext, type ModelInput } from '../../adapters/adapter.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { featureRowOf } from '../../simulator/cohort/feature-row.ts';

/** A call context with a 5 s deadline unless given another signal. */
export const ctx = (signal: AbortSignal = AbortSignal.timeout(5000)): CallContext => ({ signal, attempt: 1 });

/** The AdapterError a call rejects with (fails the test when it resolves or rejects with something else). */
export async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterError);
  return error as AdapterError;
}

/** The base URL of a loopback port that was just listened on and closed: connections to it are refused. */
export async function closedPortBase(): Promise<string> {
  const closed = Fastify();
  const base = await closed.listen({ host: '127.0.0.1', port: 0 });
  await closed.close();
  return base;
}

/** Sepsis case `i` of cohort seed 404, with its feature row (for the tabular adapters). */
export const sepsisCase = (i: number) => {
  const c = tasks.sepsis.generate({ seed: 404 }, i);
  return { task: 'sepsis', caseIndex: i, bundle: c.bundle, features: featureRowOf(tasks.sepsis, c.bundle)! } satisfies ModelInput;
};
