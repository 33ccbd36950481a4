import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Bundle } from 'fhir/r4.js';
import { AdapterError, statusOf, type ModelInput } from '../../adapters/adapter.ts';
import { createAdapter } from '../../adapters/create.ts';
import { prefetchFromBundle, serviceUrlParts, USER_ID } from '../../adapters/cds-hooks.ts';
import { Target } from '../../simulator/scenario.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { closedPortBase, ctx, failure } from './adapter-fixtures.ts';

/**
 * The cds-hooks adapter against a local fixture server that answers with wire examples shaped as in
 * the CDS Hooks 2.0 specification (discovery document, card responses), plus every failure the
 * adapter has to map.
 */

let server: FastifyInstance;
let base: string;
let closedPortUrl: string;

/** Requests the fixture received, by route. */
const received: { discovery: number; calls: Record<string, unknown[]> } = { discovery: 0, calls: {} };
let discoveryStatus = 200;

const PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  allergies: 'AllergyIntolerance?patient={{context.patientId}}',
  medications: 'MedicationRequest?patient={{context.patientId}}&status=active',
  labs: 'Observation?patient={{context.patientId}}&category=laboratory&_sort=-date',
  conditions: 'Condition?patient={{context.patientId}}&code=http://snomed.info/sct|44054006',
  user: '{{context.userId}}',
  role: 'PractitionerRole?_id={{userPractitionerRoleId}}',
};

/** A discovery document with services for several hooks (shape of the spec's discovery example). */
const DISCOVERY = {
  services: [
    { hook: 'patient-view', title: 'Greeter', description: 'Says hello to the patient.', id: 'greeter', prefetch: { patient: 'Patient/{{context.patientId}}' } },
    { hook: 'order-select', title: 'Order echo', description: 'Echoes the orders being selected.', id: 'order-echo' },
    ...['ok', 'spec-cards', 'empty', 'bad-card', 'no-cards', 'long-summary', 'no-source', '500', '429', 'malformed', 'html', 'hang', 'reset', 'big'].map((id) => ({
      hook: 'order-sign',
      title: `fixture ${id}`,
      description: 'A fixture service.',
      id,
      prefetch: PREFETCH,
    })),
  ],
};

/** Cards shaped as the spec's response example: an info card with links, a warning with override reasons. */
const SPEC_CARDS = {
  cards: [
    {
      uuid: '0c9a1d3e-5f7b-4c2a-9e8d-1a2b3c4d5e6f',
      summary: 'Example informational card',
      indicator: 'info',
      detail: 'Some *markdown* detail.',
      source: { label: 'Fixture CDS Service', url: 'https://example.org', icon: 'https://example.org/icon.png' },
      links: [
        { label: 'Reference', url: 'https://example.org/ref', type: 'absolute' },
        { label: 'A SMART app', url: 'https://smart.example.org/launch', type: 'smart', appContext: '{"session":1}' },
      ],
    },
    {
      summary: 'Example warning card',
      indicator: 'warning',
      source: { label: 'Fixture CDS Service', topic: { system: 'http://example.org/topics', code: 'x', display: 'X' } },
      overrideReasons: [{ system: 'http://example.org/override-reasons', code: 'refused', display: 'Patient refused' }],
      suggestions: [{ label: 'Cancel the order', uuid: 'b3d1', actions: [{ type: 'delete', description: 'Remove the order', resourceId: 'MedicationRequest/1' }] }],
      selectionBehavior: 'at-most-one',
    },
  ],
  systemActions: [],
};

const card = (extra: Record<string, unknown> = {}) => ({ summary: 'Drug interaction', indicator: 'critical', source: { label: 'Fixture' }, ...extra });

beforeAll(async () => {
  server = Fastify({ forceCloseConnections: true, bodyLimit: 16 * 1024 * 1024 });
  server.get('/cds-services', async (_req, reply) => (discoveryStatus === 200 ? DISCOVERY : reply.code(discoveryStatus).send({ error: 'down' })));
  server.get('/other/cds-services', async () => ({ services: [{ hook: 'order-sign', id: 'someone-else', description: 'x' }] }));
  server.get('/wrong-hook/cds-services', async () => ({ services: [{ hook: 'order-select', id: 'ok', description: 'x' }] }));
  server.get('/not-discovery/cds-services', async () => ({ hello: 'world' }));
  server.post('/cds-services/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    (received.calls[id] ??= []).push(req.body);
    switch (id) {
      case 'ok':
        return { cards: [card()] };
      case 'spec-cards':
        return SPEC_CARDS;
      case 'empty':
        return { cards: [] };
      case 'bad-card':
        return { cards: [card(), { summary: 'No indicator', source: { label: 'Fixture' } }] };
      case 'no-cards':
        return { decision: 'alert' };
      case 'long-summary':
        return { cards: [card({ summary: 'x'.repeat(141) })] };
      case 'no-source':
        return { cards: [{ summary: 'Missing source', indicator: 'info' }] };
      case '500':
        return reply.code(500).send({ error: 'internal' });
      case '429':
        return reply.code(429).header('retry-after', '3').send({ error: 'slow down' });
      case 'malformed':
        return reply.type('application/json').send('{"cards": [');
      case 'html':
        return reply.type('text/html').send('<html>oops</html>');
      case 'reset':
        req.raw.socket.destroy();
        return new Promise(() => {});
      case 'hang':
        return new Promise(() => {});
      default:
        return reply.code(404).send({ error: 'no such service' });
    }
  });
  server.addHook('onRequest', async (req) => {
    if (req.method === 'GET' && req.url.endsWith('/cds-services')) received.discovery++;
  });
  base = await server.listen({ host: '127.0.0.1', port: 0 });

  const closedBase = await closedPortBase();
  closedPortUrl = `${closedBase}/cds-services/ok`;
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  discoveryStatus = 200;
});

const medCase = tasks['med-safety'].generate({ seed: 11 }, 3);
const input: ModelInput = { task: 'med-safety', caseIndex: 3, bundle: medCase.bundle };

const target = (url: string, extra: Record<string, unknown> = {}): Target => Target.parse({ adapter: 'cds-hooks', url, retries: 0, ...extra });
const adapterFor = (id: string, extra: Record<string, unknown> = {}, prefix = '') => createAdapter(target(`${base}${prefix}/cds-services/${id}`, extra));

describe('cds-hooks target schema', () => {
  it('accepts a service URL and fills the hook; rejects a URL that is not …/cds-services/{id}', () => {
    const parsed = Target.parse({ adapter: 'cds-hooks', url: 'http://127.0.0.1:8090/cds-services/med-safety' });
    expect(parsed).toMatchObject({ adapter: 'cds-hooks', hook: 'order-sign', timeoutMs: 10_000 });
    const bad = Target.safeParse({ adapter: 'cds-hooks', url: 'http://127.0.0.1:8090/predict' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/cds-services\/\{id\}/);
    expect(Target.safeParse({ adapter: 'cds-hooks', url: 'http://h/cds-services/x', hook: 'patient-view' }).success).toBe(false);
    expect(Target.safeParse({ adapter: 'cds-hooks', url: 'http://h/cds-services/x', fhirServer: 'ftp://x' }).success).toBe(false);
    expect(serviceUrlParts('https://h.example/base/cds-services/med-safety/?x=1')).toEqual({
      serviceUrl: 'https://h.example/base/cds-services/med-safety?x=1',
      discoveryUrl: 'https://h.example/base/cds-services',
      serviceId: 'med-safety',
    });
  });
});

describe('cds-hooks adapter: the request', () => {
  it('sends an order-sign request built from the case, with a fresh hookInstance per call', async () => {
    const adapter = adapterFor('ok', { fhirServer: 'https://fhir.example.org/r4' });
    expect(adapter.kind).toBe('cds-hooks');
    received.calls.ok = [];
    await adapter.invoke(input, ctx());
    await adapter.invoke(input, ctx());
    const [first, second] = received.calls.ok as Record<string, any>[];
    expect(first).toMatchObject({ hook: 'order-sign', fhirServer: 'https://fhir.example.org/r4' });
    expect(first!.hookInstance).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.hookInstance).not.toBe(first!.hookInstance);

    const patient = medCase.bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource!;
    const draft = medCase.bundle.entry!.find((e) => e.resource?.resourceType === 'MedicationRequest' && e.resource.status === 'draft')!.resource!;
    const encounter = medCase.bundle.entry!.find((e) => e.resource?.resourceType === 'Encounter')!.resource!;
    expect(first!.context).toEqual({
      userId: USER_ID,
      patientId: patient.id,
      encounterId: encounter.id,
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
    });

    const prefetch = first!.prefetch as Record<string, any>;
    expect(prefetch.patient).toEqual(patient);
    const types = (key: string) => (prefetch[key]?.entry ?? []).map((e: any) => e.resource.resourceType);
    expect(prefetch.medications?.type ?? 'searchset').toBe('searchset');
    for (const e of prefetch.medications?.entry ?? []) expect(e.resource.status).toBe('active');
    expect(types('allergies').every((t: string) => t === 'AllergyIntolerance')).toBe(true);
    expect(types('labs').length).toBeGreaterThan(0);
    for (const e of prefetch.labs.entry) expect(e.resource.category[0].coding[0].code).toBe('laboratory');
    // A template the bundle cannot satisfy is null; one with a token the adapter does not know is left out.
    expect(prefetch.user).toBeNull();
    expect('role' in prefetch).toBe(false);
  });

  it('evaluates search parameters: code, status, _sort and _count, null when nothing matches', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:p1', resource: { resourceType: 'Patient', id: 'p1' } },
        { resource: { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] }, subject: { reference: 'urn:uuid:p1' }, effectiveDateTime: '2025-01-01T00:00:00Z' } },
        { resource: { resourceType: 'Observation', id: 'o2', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] }, subject: { reference: 'urn:uuid:p1' }, effectiveDateTime: '2025-03-01T00:00:00Z' } },
        { resource: { resourceType: 'Observation', id: 'o3', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] }, subject: { reference: 'Patient/other' } } },
      ],
    };
    const context = { userId: USER_ID, patientId: 'p1', draftOrders: { resourceType: 'Bundle' as const, type: 'collection' as const, entry: [] } };
    const out = prefetchFromBundle(
      bundle,
      {
        latestK: 'Observation?patient={{context.patientId}}&code=http://loinc.org|2823-3&_count=1&_sort=-date',
        legacy: 'Observation?patient={{context.patientId}}&code=2823-3&_count=1&sort:desc=date',
        allK: 'Observation?subject=Patient/{{context.patientId}}&code=2823-3',
        none: 'Condition?patient={{context.patientId}}',
        amended: 'Observation?patient={{context.patientId}}&status=amended',
      },
      context,
    );
    const ids = (key: string) => ((out[key] as Bundle | null)?.entry ?? []).map((e) => e.resource!.id);
    expect(ids('latestK')).toEqual(['o2']);
    expect(ids('legacy')).toEqual(['o2']);
    expect(ids('allK')).toEqual(['o1', 'o2']);
    expect(out.none).toBeNull();
    expect(out.amended).toBeNull();
  });

  it('accepts a service URL with a trailing slash', async () => {
    expect(await createAdapter(target(`${base}/cds-services/empty/`)).invoke(input, ctx())).toEqual({ cards: [], label: 0 });
  });

  it('runs discovery once for many calls, and health() uses it', async () => {
    const adapter = adapterFor('empty');
    const before = received.discovery;
    await adapter.health!();
    await Promise.all(Array.from({ length: 5 }, () => adapter.invoke(input, ctx())));
    expect(received.discovery - before).toBe(1);
  });
});

describe('cds-hooks adapter: the reply', () => {
  it('maps an alert card to label 1 and the summaries to text, with the HTTP status', async () => {
    const prediction = await adapterFor('ok').invoke(input, ctx());
    expect(prediction).toEqual({ cards: [card()], label: 1, text: 'Drug interaction' });
    expect(statusOf(prediction)).toBe(200);
  });

  it('accepts the spec-shaped response (links, override reasons, suggestions, systemActions)', async () => {
    const prediction = await adapterFor('spec-cards').invoke(input, ctx());
    expect(prediction.cards).toEqual(SPEC_CARDS.cards);
    expect(prediction.label).toBe(1);
    expect(prediction.text).toBe('Example informational card | Example warning card');
  });

  it('maps no cards to label 0 without text', async () => {
    expect(await adapterFor('empty').invoke(input, ctx())).toEqual({ cards: [], label: 0 });
  });

  it.each([
    ['bad-card', /cards\.1\.indicator/],
    ['long-summary', /cards\.0\.summary/],
    ['no-source', /cards\.0\.source/],
    ['no-cards', /cards/],
  ])('answers %s with invalid-response naming the path', async (id, path) => {
    const error = await failure(adapterFor(id).invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.message).toMatch(path);
    expect(error.details.status).toBe(200);
  });
});

describe('cds-hooks adapter: discovery problems', () => {
  it('fails with invalid-response when discovery does not list the service, and keeps failing without asking again', async () => {
    const adapter = createAdapter(target(`${base}/other/cds-services/med-safety`));
    const before = received.discovery;
    const error = await failure(adapter.invoke(input, ctx()));
    expect(error.type).toBe('invalid-response');
    expect(error.message).toMatch(/lists no service "med-safety" \(services: someone-else \(order-sign\)\)/);
    await expect(adapter.health!()).rejects.toBeInstanceOf(AdapterError);
    expect(received.discovery - before).toBe(1);
  });

  it('fails when the service answers another hook, or the document is not a discovery document', async () => {
    const hook = await failure(createAdapter(target(`${base}/wrong-hook/cds-services/ok`)).invoke(input, ctx()));
    expect(hook.message).toMatch(/answers hook "order-select", not "order-sign"/);
    const doc = await failure(createAdapter(target(`${base}/not-discovery/cds-services/ok`)).invoke(input, ctx()));
    expect(doc.type).toBe('invalid-response');
    expect(doc.message).toMatch(/services/);
  });

  it('retries discovery on the next call after an HTTP failure', async () => {
    const adapter = adapterFor('empty');
    discoveryStatus = 503;
    const error = await failure(adapter.invoke(input, ctx()));
    expect(error).toMatchObject({ type: 'http-status', details: { status: 503 } });
    discoveryStatus = 200;
    expect(await adapter.invoke(input, ctx())).toEqual({ cards: [], label: 0 });
  });
});

describe('cds-hooks adapter: failure mapping', () => {
  it('maps HTTP 500 to http-status and 429 with Retry-After', async () => {
    expect(await failure(adapterFor('500').invoke(input, ctx()))).toMatchObject({ type: 'http-status', details: { status: 500 } });
    expect(await failure(adapterFor('429').invoke(input, ctx()))).toMatchObject({ type: 'http-status', details: { status: 429, retryAfterMs: 3000 } });
  });

  it('maps malformed JSON and non-JSON replies to invalid-response', async () => {
    const malformed = await failure(adapterFor('malformed').invoke(input, ctx()));
    expect(malformed).toMatchObject({ type: 'invalid-response', details: { status: 200 } });
    expect(malformed.message).toMatch(/not JSON/);
    expect((await failure(adapterFor('html').invoke(input, ctx()))).type).toBe('invalid-response');
  });

  it('maps the deadline to timeout, another abort and a reset socket to transport, a closed port to transport', async () => {
    const adapter = adapterFor('hang');
    await adapter.health!();
    expect((await failure(adapter.invoke(input, ctx(AbortSignal.timeout(200))))).type).toBe('timeout');
    const controller = new AbortController();
    const pending = adapter.invoke(input, ctx(controller.signal));
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).type).toBe('transport');
    expect((await failure(adapterFor('reset').invoke(input, ctx()))).type).toBe('transport');
    const closed = await failure(createAdapter(target(closedPortUrl)).invoke(input, ctx()));
    expect(closed.type).toBe('transport');
    expect(closed.message).toMatch(/ECONNREFUSED/);
  });

  it('sends credentials in the URL as Basic auth and never shows them in messages', async () => {
    const url = new URL(`${base}/cds-services/500`);
    url.username = 'user';
    url.password = 's3cret';
    const error = await failure(createAdapter(target(url.href)).invoke(input, ctx()));
    expect(error.message).not.toMatch(/s3cret/);
  });
});
