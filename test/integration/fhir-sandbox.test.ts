import { Client, type FhirResource as KitResource } from 'fhir-kit-client';
import type { Bundle, CapabilityStatement, Observation, OperationOutcome, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { LOINC } from '../../simulator/fhir/bundle-access.ts';
import { startFhirSandbox, type FhirSandbox } from '../../simulator/fhir/sandbox/index.ts';

/**
 * The FHIR sandbox on loopback, exercised with fhir-kit-client (a real FHIR client): read, search
 * by patient/code/date, paging by next links, transactions, the CapabilityStatement. Every expected
 * count is computed from the generated bundles, not from the server.
 */

const SIZE = 30;
const SEED = 4242;
const LACTATE = '2524-7';

interface HttpError {
  response: { status: number; data: OperationOutcome };
}

/** The rejection of a fhir-kit-client call (it throws an Error with `response`). */
async function failure(promise: Promise<unknown>): Promise<HttpError['response']> {
  try {
    await promise;
  } catch (error) {
    return (error as HttpError).response;
  }
  throw new Error('expected the request to fail');
}

const generated = Array.from({ length: SIZE }, (_, i) => tasks.sepsis.generate({ seed: SEED }, i).bundle);
const resourcesOf = <T>(type: string): T[] =>
  generated.flatMap((b) => (b.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type)) as T[];
const patients = resourcesOf<Patient>('Patient');
const observations = resourcesOf<Observation>('Observation');
const isLactate = (o: Observation) => o.code.coding?.some((c) => c.system === LOINC && c.code === LACTATE) ?? false;

describe('FHIR sandbox (fhir-kit-client against a served cohort)', () => {
  let sandbox: FhirSandbox;
  let client: Client;

  beforeAll(async () => {
    sandbox = await startFhirSandbox({ task: 'sepsis', size: SIZE, seed: SEED });
    client = new Client({ baseUrl: sandbox.url });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('binds loopback and reports what it loaded', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/R4$/);
    expect(sandbox.patients).toBe(SIZE);
    expect(sandbox.byType.Patient).toBe(SIZE);
    expect(sandbox.byType.Observation).toBe(observations.length);
    expect(sandbox.resources).toBe(generated.reduce((n, b) => n + (b.entry?.length ?? 0), 0));
  });

  it('serves a CapabilityStatement for FHIR 4.0.1 as application/fhir+json', async () => {
    const cs = (await client.capabilityStatement()) as unknown as CapabilityStatement;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.format).toContain('application/fhir+json');
    const rest = cs.rest?.[0];
    expect(rest?.interaction?.map((i) => i.code)).toContain('transaction');
    const obs = rest?.resource?.find((r) => r.type === 'Observation');
    expect(obs?.interaction?.map((i) => i.code)).toEqual(expect.arrayContaining(['read', 'search-type', 'create']));
    expect(obs?.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'subject', 'code', 'date']));
    // Parameter types the engine cannot match are not advertised.
    expect(obs?.searchParam?.map((p) => p.name)).not.toContain('value-quantity');

    const res = await fetch(`${sandbox.url}/metadata`);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  });

  it('reads a Patient by its generated id, unchanged but for meta', async () => {
    const expected = patients[3]!;
    const { meta, ...read } = (await client.read({ resourceType: 'Patient', id: expected.id! })) as unknown as Patient;
    expect(read).toEqual(expected);
    expect(meta?.versionId).toBeTruthy();

    const missing = await failure(client.read({ resourceType: 'Patient', id: 'no-such-patient' }));
    expect(missing.status).toBe(404);
    expect(missing.data.resourceType).toBe('OperationOutcome');
  });

  it('stores references between a patient’s resources as Type/id', async () => {
    const obs = observations[0]!;
    const read = (await client.read({ resourceType: 'Observation', id: obs.id! })) as unknown as Observation;
    expect(read.subject?.reference).toBe(`Patient/${patients[0]!.id}`);
    expect(read.encounter?.reference).toMatch(/^Encounter\//);
    const encounter = await client.read({ resourceType: 'Encounter', id: read.encounter!.reference!.split('/')[1]! });
    expect(encounter.resourceType).toBe('Encounter');
  });

  it('searches Observations by patient, code and date', async () => {
    // Not every patient has a lactate (baseline missingness): the first patient from index 5 on who has one.
    const patient = patients.slice(5).find((p) => observations.some((o) => isLactate(o) && o.subject?.reference === `urn:uuid:${p.id}`))!;
    expect(patient).toBeDefined();
    const lactate = observations.find((o) => isLactate(o) && o.subject?.reference === `urn:uuid:${patient.id}`)!;
    const day = lactate.effectiveDateTime!.slice(0, 10);

    const found = (await client.search({
      resourceType: 'Observation',
      searchParams: { patient: `Patient/${patient.id}`, code: `${LOINC}|${LACTATE}`, date: `ge${day}` },
    })) as unknown as Bundle;
    expect(found.type).toBe('searchset');
    expect(found.total).toBe(1);
    expect(found.entry?.map((e) => e.resource?.id)).toEqual([lactate.id]);
    expect(found.entry?.[0]?.fullUrl).toBe(`${sandbox.url}/Observation/${lactate.id}`);

    const before = (await client.search({
      resourceType: 'Observation',
      searchParams: { patient: `Patient/${patient.id}`, code: `${LOINC}|${LACTATE}`, date: `lt${day}` },
    })) as unknown as Bundle;
    expect(before.total).toBe(0);

    // All of the patient's Observations, with the bare-id and type-modifier forms of the reference.
    const own = observations.filter((o) => o.subject?.reference === `urn:uuid:${patient.id}`).map((o) => o.id).sort();
    const forms: Record<string, string>[] = [{ patient: patient.id! }, { 'subject:Patient': patient.id! }, { subject: `Patient/${patient.id}` }];
    for (const searchParams of forms) {
      const all = (await client.search({ resourceType: 'Observation', searchParams: { ...searchParams, _count: 100 } })) as unknown as Bundle;
      expect(all.entry?.map((e) => e.resource?.id).sort()).toEqual(own);
    }
  });

  it('searches the whole cohort by code and date, as computed from the generated bundles', async () => {
    const from = '2025-06-01';
    const expected = observations.filter((o) => isLactate(o) && o.effectiveDateTime! >= from).length;
    const bundle = (await client.search({
      resourceType: 'Observation',
      searchParams: { code: `${LOINC}|${LACTATE}`, date: `ge${from}`, _summary: 'count' },
    })) as unknown as Bundle;
    expect(bundle.total).toBe(expected);
    expect(bundle.entry).toBeUndefined();
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(SIZE);
  });

  it('pages through a search with _count by following next links until every result is seen', async () => {
    const seen: string[] = [];
    let page = (await client.search({ resourceType: 'Observation', searchParams: { _count: 7 } })) as unknown as Bundle;
    let pages = 0;
    for (;;) {
      pages++;
      expect(page.total).toBe(observations.length);
      expect(page.entry!.length).toBeLessThanOrEqual(7);
      for (const e of page.entry ?? []) seen.push(e.resource!.id!);
      const next = page.link?.find((l) => l.relation === 'next');
      if (!next) break;
      expect(next.url.startsWith(`${sandbox.url}/Observation?`)).toBe(true);
      page = (await client.nextPage({ bundle: page as unknown as KitResource & { link: { relation: string; url: string }[] } })) as unknown as Bundle;
    }
    expect(seen).toHaveLength(observations.length);
    expect(new Set(seen).size).toBe(observations.length);
    expect([...seen].sort()).toEqual(observations.map((o) => o.id).sort());
    expect(pages).toBe(Math.ceil(observations.length / 7));
  });

  it('applies a transaction: creates with server ids, rewrites urn:uuid references, reads back', async () => {
    const patientUrn = 'urn:uuid:6f1c1d52-8d0e-4a59-9b55-1a0c9a3f0001';
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: patientUrn,
          resource: { resourceType: 'Patient', name: [{ family: 'Transaction', given: ['Tess'] }], gender: 'female' },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: 'urn:uuid:6f1c1d52-8d0e-4a59-9b55-1a0c9a3f0002',
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { coding: [{ system: LOINC, code: LACTATE }] },
            subject: { reference: patientUrn },
            effectiveDateTime: '2025-11-01T10:00:00Z',
            valueQuantity: { value: 3.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const response = (await client.transaction({ body: transaction as unknown as KitResource })) as unknown as Bundle;
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['201', '201']);
    const [patientRef, obsRef] = response.entry!.map((e) => e.response!.location!);
    expect(patientRef).toMatch(/^Patient\/[\w-]+$/);

    const patient = (await client.read({ resourceType: 'Patient', id: patientRef!.split('/')[1]! })) as unknown as Patient;
    expect(patient.name?.[0]?.family).toBe('Transaction');
    const obs = (await client.read({ resourceType: 'Observation', id: obsRef!.split('/')[1]! })) as unknown as Observation;
    expect(obs.subject?.reference).toBe(patientRef);
    const byPatient = (await client.search({ resourceType: 'Observation', searchParams: { patient: patientRef! } })) as unknown as Bundle;
    expect(byPatient.entry?.map((e) => e.resource?.id)).toEqual([obs.id]);
  });

  it('rolls a failed transaction back entirely', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:6f1c1d52-8d0e-4a59-9b55-1a0c9a3f0003', resource: { resourceType: 'Patient', name: [{ family: 'Rollback' }] }, request: { method: 'POST', url: 'Patient' } },
        // An update whose body id does not match its URL: the engine refuses it.
        { resource: { resourceType: 'Patient', id: 'one-id' }, request: { method: 'PUT', url: 'Patient/another-id' } },
      ],
    };
    const refused = await failure(client.transaction({ body: transaction as unknown as KitResource }));
    expect(refused.status).toBe(400);
    expect(refused.data.resourceType).toBe('OperationOutcome');
    const left = (await client.search({ resourceType: 'Patient', searchParams: { family: 'Rollback' } })) as unknown as Bundle;
    expect(left.total).toBe(0);
  });

  it('answers 400 with an OperationOutcome for searches the engine cannot evaluate, never an empty page', async () => {
    const unsupported: Record<string, string>[] = [{ 'value-quantity': 'gt2' }, { 'no-such-param': 'x' }, { _include: 'Observation:patient' }, { 'subject.name': 'x' }];
    for (const searchParams of unsupported) {
      const refused = await failure(client.search({ resourceType: 'Observation', searchParams }));
      expect(refused.status, JSON.stringify(searchParams)).toBe(400);
      expect(refused.data.resourceType).toBe('OperationOutcome');
    }
    const unknownType = await failure(client.read({ resourceType: 'NotAType', id: '1' }));
    expect(unknownType.status).toBe(404);
  });

  it('allows an empty server (size 0)', async () => {
    const empty = await startFhirSandbox({ task: 'sepsis', size: 0, seed: 1 });
    try {
      const res = await fetch(`${empty.url}/Patient?_summary=count`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Bundle).total).toBe(0);
    } finally {
      await empty.close();
    }
  });
});
