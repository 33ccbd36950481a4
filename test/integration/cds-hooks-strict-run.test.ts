import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fuzz, missing, shift } from '../../simulator/perturb/families.ts';
import { Scenario } from '../../simulator/scenario.ts';
import { executeRun } from '../../simulator/run/execute.ts';
import { PREFETCH } from '../../models/med-safety/service.ts';

/**
 * A real run (executeRun) of the med-safety task, clean and perturbed arms, against a strict CDS
 * Hooks 2.0 service written here: it refuses with 400 anything but a request the specification
 * allows for `order-sign` (cds-hooks.hl7.org/2.0, "Calling a CDS Service" and the order-sign hook:
 * required `hook`, `hookInstance` (a UUID), `context.userId`, `context.patientId`,
 * `context.draftOrders` (a Bundle); prefetch keys only from the discovery document, each value a
 * FHIR resource or null; `fhirAuthorization` only with `fhirServer`) and counts what it refused.
 */

const SIZE = 40;
const FhirResource = z.looseObject({ resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/) });
const OrderSignRequest = z.strictObject({
  hook: z.literal('order-sign'),
  hookInstance: z.uuid(),
  fhirServer: z.url().optional(),
  fhirAuthorization: z.looseObject({ access_token: z.string() }).optional(),
  context: z.strictObject({
    userId: z.string().regex(/^(Practitioner|PractitionerRole|Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/),
    patientId: z.string().min(1),
    encounterId: z.string().min(1).optional(),
    draftOrders: z.looseObject({ resourceType: z.literal('Bundle'), entry: z.array(z.looseObject({ resource: FhirResource })).optional() }),
  }),
  prefetch: z.record(z.enum(Object.keys(PREFETCH) as [keyof typeof PREFETCH, ...(keyof typeof PREFETCH)[]]), FhirResource.nullable()).optional(),
}).refine((r) => r.fhirAuthorization === undefined || r.fhirServer !== undefined, 'fhirAuthorization without fhirServer');

function strictService(counts: { accepted: number; rejected: string[] }): FastifyInstance {
  const app = Fastify({ forceCloseConnections: true, bodyLimit: 8 * 1024 * 1024 });
  app.get('/cds-services', async () => ({
    services: [{ hook: 'order-sign', id: 'strict', title: 'Strict order-sign service', description: 'Refuses anything off-spec', prefetch: PREFETCH }],
  }));
  app.post('/cds-services/strict', async (req, reply) => {
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      counts.rejected.push(`content-type ${req.headers['content-type']}`);
      return reply.code(400).send({ error: 'content-type' });
    }
    const parsed = OrderSignRequest.safeParse(req.body);
    if (!parsed.success) {
      counts.rejected.push(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return reply.code(400).send({ error: 'not an order-sign request' });
    }
    counts.accepted++;
    const orders = parsed.data.context.draftOrders.entry?.length ?? 0;
    return { cards: orders > 0 ? [{ summary: 'Order reviewed', indicator: 'info', source: { label: 'strict test service' } }] : [] };
  });
  return app;
}

describe('a real run against a strict CDS Hooks service', () => {
  let dir: string;
  let server: FastifyInstance;
  const counts = { accepted: 0, rejected: [] as string[] };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-cds-strict-'));
    server = strictService(counts);
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends no request the specification refuses, with and without fhirServer', async () => {
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    const arms = {
      baseline: [],
      'local-lab-codes': [shift.localCodes({})],
      'labs-pending': [missing.notYetResulted({ loinc: ['2823-3', '98979-8', '6301-6'] })],
      duplicates: [fuzz.duplicateResources({})],
    };
    for (const fhirServer of [undefined, 'http://127.0.0.1:9/fhir']) {
      const name = fhirServer ? 'strict-cds-fhir' : 'strict-cds';
      const target = { adapter: 'cds-hooks' as const, url: `${base}/cds-services/strict`, concurrency: 4, ...(fhirServer ? { fhirServer } : {}) };
      const result = await executeRun({
        runId: name,
        runDir: join(dir, name),
        signal: new AbortController().signal,
        resamples: 20,
        scenarios: [{ scenario: Scenario.parse({ name, task: 'med-safety', cohort: { size: SIZE, seed: 5 }, target, arms }), file: null, contentHash: 'test' }],
      });
      expect(result.manifest.status).toBe('complete');
      for (const arm of result.report!.scenarios[0]!.arms) expect(arm.outcomes, arm.name).toMatchObject({ ok: SIZE, error: 0, timeout: 0, invalid: 0 });
    }
    expect(counts.rejected).toEqual([]);
    expect(counts.accepted).toBe(2 * SIZE * 4);
  });
});
