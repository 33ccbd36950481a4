import { AsyncLocalStorage } from 'node:async_hooks';
import { Operator, type SearchRequest, type WithId } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
// The engine's own resource types (a dependency of @medplum/core), used only at its API boundary.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { searchParameter } from './definitions.ts';

/**
 * The sandbox's store: @medplum/fhir-router's MemoryRepository with two additions.
 *
 * 1. Reference index, for speed only. MemoryRepository searches by testing every resource of the
 *    type with @medplum/core's `matchesSearchRequest`; at 10k patients that is ~110k Observations
 *    per query, seconds for `Observation?patient=Patient/x`. When a search has an equality filter
 *    on a reference parameter whose values are all literal `Type/id` references, the candidates are
 *    narrowed to resources that contain one of those strings, and the engine's own search runs on
 *    them (a MemoryRepository holding just the candidates, so matching, sorting, `_offset`,
 *    `_count` and `total` are exactly the engine's). The index is a superset: any string value of
 *    a resource that looks like `Type/id` is indexed, updates add entries, nothing is removed, and
 *    deleted candidates are skipped; results are in insertion order, like a full scan.
 * 2. All-or-nothing transactions. MemoryRepository.withTransaction only runs the callback; here
 *    each transaction records the prior state of every resource it writes (per async context, so
 *    concurrent requests do not mix) and restores it when the transaction fails.
 */


/** A literal relative reference, `Type/id` (R4 id: 1-64 of [A-Za-z0-9-.]). */
const LITERAL_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/** Prior state of the resources a transaction wrote: `Type/id` → resource, or null when it did not exist. */
type Journal = Map<string, Resource | null>;

export class SandboxRepository extends MemoryRepository {
  /** Reference string → keys (`Type/id`) of resources containing it. */
  private readonly byReference = new Map<string, Set<string>>();
  /** Insertion order of every key ever stored (candidate order = full-scan order). */
  private readonly order = new Map<string, number>();
  private readonly journal = new AsyncLocalStorage<Journal>();
  /** Transactions run one at a time. */
  private transactionQueue: Promise<unknown> = Promise.resolve();

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    await this.remember(resource.resourceType, resource.id);
    const created = await super.createResource(resource);
    const key = `${created.resourceType}/${created.id}`;
    if (!this.order.has(key)) this.order.set(key, this.order.size);
    this.indexReferences(key, created);
    return created;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await this.remember(resourceType, id);
    await super.deleteResource(resourceType, id);
  }

  override async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    if (this.journal.getStore()) return callback(undefined); // nested: part of the outer transaction
    const run = async (): Promise<TResult> => {
      const journal: Journal = new Map();
      try {
        return await this.journal.run(journal, () => callback(undefined));
      } catch (error) {
        await this.journal.exit(() => this.rollback(journal));
        throw error;
      }
    };
    const result = this.transactionQueue.then(run, run);
    this.transactionQueue = result.catch(() => undefined);
    return result;
  }

  override async search<T extends Resource>(searchRequest: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const candidates = this.candidates(searchRequest);
    if (!candidates) return super.search(searchRequest);
    const subset = new MemoryRepository();
    for (const key of candidates) {
      const [type, id] = key.split('/') as [string, string];
      if (type !== searchRequest.resourceType) continue;
      let resource: Resource;
      try {
        resource = await this.readResource(type, id);
      } catch {
        continue; // deleted since it was indexed
      }
      await subset.createResource(resource);
    }
    return subset.search(searchRequest);
  }

  /** Keys that may match, in insertion order; undefined when the search cannot be narrowed. */
  private candidates(searchRequest: SearchRequest): string[] | undefined {
    if (searchRequest.resourceType === 'Bundle') return undefined; // Bundle params can match inline resources
    let best: Set<string> | undefined;
    for (const filter of searchRequest.filters ?? []) {
      if (filter.operator !== Operator.EQUALS) continue;
      if (searchParameter(searchRequest.resourceType, filter.code)?.type !== 'reference') continue;
      const values = filter.value.split(',');
      if (!values.every((v) => LITERAL_REFERENCE.test(v))) continue;
      const union = new Set<string>();
      for (const value of values) for (const key of this.byReference.get(value) ?? []) union.add(key);
      if (!best || union.size < best.size) best = union;
    }
    if (!best) return undefined;
    return [...best].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  private indexReferences(key: string, value: unknown): void {
    if (typeof value === 'string') {
      if (LITERAL_REFERENCE.test(value)) {
        let keys = this.byReference.get(value);
        if (!keys) this.byReference.set(value, (keys = new Set()));
        keys.add(key);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) this.indexReferences(key, item);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) this.indexReferences(key, item);
    }
  }

  /** Records the state of `type/id` before a transaction first writes it. */
  private async remember(type: string, id: string | undefined): Promise<void> {
    const journal = this.journal.getStore();
    if (!journal || id === undefined) return;
    const key = `${type}/${id}`;
    if (journal.has(key)) return;
    let prior: Resource | null;
    try {
      prior = await this.readResource(type, id);
    } catch {
      prior = null;
    }
    journal.set(key, prior);
  }

  private async rollback(journal: Journal): Promise<void> {
    for (const [key, prior] of [...journal].reverse()) {
      const [type, id] = key.split('/') as [string, string];
      if (prior) {
        await super.createResource(prior); // keeps prior meta.versionId and lastUpdated
      } else {
        await super.deleteResource(type, id).catch(() => undefined);
      }
    }
  }
}
