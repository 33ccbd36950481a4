import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from 'fhir-kit-client';
import type { Bundle, Observation } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { startFhirSandbox, type FhirSandbox } from '../../simulator/fhir/sandbox/index.ts';
import { transactionEntries, uploadCohort, UploadError, type UploadProgress } from '../../simulator/fhir/upload.ts';

/**
 * uploadCohort against real servers on loopback: the FHIR sandbox started empty (a real FHIR engine
 * resolving urn:uuid references in transactions), and a stub that refuses one batch.
 */

const SIZE = 120;
const SEED = 31337;
const cohort = { seed: SEED };

const generated = Array.from({ length: SIZE }, (_, i) => tasks.sepsis.generate(cohort, i).bundle);
const countOf = (type: string) => generated.reduce((n, b) => n + (b.entry ?? []).filter((e) => e.resource?.resourceType === type).length, 0);

describe('uploadCohort', () => {
  let sandbox: FhirSandbox;
  let client: Client;

  beforeAll(async () => {
    sandbox = await startFhirSandbox({ task: 'sepsis', size: 0, seed: 0 });
    client = new Client({ baseUrl: sandbox.url });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('builds one POST entry per resource, keeping the urn:uuid fullUrl and dropping the id', () => {
    const entries = transactionEntries(generated[0]!);
    expect(entries).toHaveLength(generated[0]!.entry!.length);
    for (const [i, e] of entries.entries()) {
      expect(e.fullUrl).toBe(generated[0]!.entry![i]!.fullUrl);
      expect(e.fullUrl).toMatch(/^urn:uuid:/);
      expect(e.request).toEqual({ method: 'POST', url: e.resource!.resourceType });
      expect(e.resource!.id).toBeUndefined();
    }
  });

  it('uploads 120 patients in transactions of 50 into an empty server', async () => {
    const progress: UploadProgress[] = [];
    const result = await uploadCohort({
      task: tasks.sepsis,
      cohort,
      size: SIZE,
      baseUrl: sandbox.url,
      batch: 50,
      onProgress: (p) => progress.push(p),
    });
    expect(result.patients).toBe(SIZE);
    expect(result.batches).toBe(3);
    expect(progress.map((p) => [p.batchesDone, p.patientsDone])).toEqual([
      [1, 50],
      [2, 100],
      [3, 120],
    ]);

    const patients = (await client.search({ resourceType: 'Patient', searchParams: { _summary: 'count' } })) as unknown as Bundle;
    expect(patients.total).toBe(SIZE);
    const observations = (await client.search({ resourceType: 'Observation', searchParams: { _summary: 'count' } })) as unknown as Bundle;
    expect(observations.total).toBe(countOf('Observation'));
    expect(result.byType.Observation).toBe(countOf('Observation'));
    expect(result.resources).toBe(generated.reduce((n, b) => n + (b.entry?.length ?? 0), 0));
  });

  it('leaves references resolved by the server: each Observation points at an uploaded Patient', async () => {
    const page = (await client.search({ resourceType: 'Observation', searchParams: { _count: 25 } })) as unknown as Bundle;
    for (const entry of page.entry ?? []) {
      const obs = entry.resource as Observation;
      expect(obs.subject?.reference).toMatch(/^Patient\/[\w-]+$/);
      const patient = await client.read({ resourceType: 'Patient', id: obs.subject!.reference!.split('/')[1]! });
      expect(patient.resourceType).toBe('Patient');
    }
    // Server-assigned ids, not the generated ones.
    const firstGenerated = generated[0]!.entry![0]!.resource!.id!;
    const byOldId = (await client.search({ resourceType: 'Patient', searchParams: { _id: firstGenerated } })) as unknown as Bundle;
    expect(byOldId.total).toBe(0);
  });

  describe('when the server refuses a batch', () => {
    let stub: FastifyInstance;
    let stubUrl: string;
    let transactions = 0;

    beforeAll(async () => {
      stub = Fastify();
      stub.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, stub.getDefaultJsonParser('error', 'error'));
      stub.post('/fhir/', async (request, reply) => {
        transactions++;
        const bundle = request.body as Bundle;
        if (transactions === 2) {
          return reply
            .code(422)
            .type('application/fhir+json')
            .send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Observation.status is required' }] });
        }
        const entry = (bundle.entry ?? []).map((_, i) => ({ response: { status: '201 Created', location: `Thing/${i}` } }));
        return reply.type('application/fhir+json').send({ resourceType: 'Bundle', type: 'transaction-response', entry });
      });
      await stub.listen({ host: '127.0.0.1', port: 0 });
      const address = stub.server.address();
      stubUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/fhir`;
    });
    afterAll(async () => {
      await stub?.close();
    });

    it('stops with an error naming the batch, its patients and the OperationOutcome', async () => {
      const progress: UploadProgress[] = [];
      const error = await uploadCohort({ task: tasks.sepsis, cohort, size: SIZE, baseUrl: stubUrl, batch: 50, onProgress: (p) => progress.push(p) }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UploadError);
      const message = (error as Error).message;
      expect(message).toContain('batch 2 of 3 (patients 50..99');
      expect(message).toContain('HTTP 422');
      expect(message).toContain('Observation.status is required');
      expect(progress).toHaveLength(1);
      expect(transactions).toBe(2);
    });

    it('names the transport problem when there is no server', async () => {
      const error = await uploadCohort({ task: tasks.sepsis, cohort, size: 2, baseUrl: 'http://127.0.0.1:9/fhir', batch: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toMatch(/^upload failed at batch 1 of 1 \(patients 0\.\.1, \d+ resources\) to http:\/\/127\.0\.0\.1:9\/fhir: /);
    });
  });
});
