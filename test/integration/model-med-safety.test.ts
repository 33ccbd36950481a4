import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, MedicationRequest } from 'fhir/r4.js';
import type { Adapter, ModelInput, Prediction } from '../../adapters/adapter.ts';
import { statusOf } from '../../adapters/adapter.ts';
import { Card } from '../../adapters/cds-card.ts';
import { createAdapter } from '../../adapters/create.ts';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import type { Case } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { isSignificant } from '../../simulator/cohort/med-safety/index.ts';
import { alertMetrics } from '../../simulator/metrics/alerts.ts';
import { Target } from '../../simulator/scenario.ts';
import { invokeAll } from './invoke-all.ts';

/**
 * The med-safety CDS Hooks service over real loopback HTTP, called through the cds-hooks adapter,
 * flawed vs flaw-free on 300 generated orders: alert sensitivity and false-alert rate against the
 * truth, the term-type gap (SMX/TMP, a MIN code; drugs coded as clinical drugs), and the service's
 * answers to bad requests.
 */

const SEED = 1_729;
const N = 300;
const SMX_TMP = '10831';

let flawed: ReferenceModels;
let flawFree: ReferenceModels;
let cases: Case[];

beforeAll(async () => {
  [flawed, flawFree] = await Promise.all([startReferenceModels(), startReferenceModels({ flawFree: true })]);
  cases = Array.from({ length: N }, (_, i) => tasks['med-safety'].generate({ seed: SEED }, i));
});
afterAll(async () => {
  await Promise.all([flawed?.close(), flawFree?.close()]);
});

const adapterFor = (models: ReferenceModels): Adapter => createAdapter(Target.parse({ adapter: 'cds-hooks', url: `${models.cdsUrl}/med-safety`, retries: 0 }));

const callAll = (models: ReferenceModels, bundles: readonly Bundle[], concurrency = 16): Promise<Prediction[]> =>
  invokeAll(adapterFor(models), bundles.map((bundle, i): ModelInput => ({ task: 'med-safety', caseIndex: i, bundle })), concurrency);

const alerted = (ps: readonly Prediction[]) => ps.map((p) => p.label === 1);
const conflict = (cs: readonly Case[]) => cs.map((c) => c.truth.label === 1);

/** Every medication (draft, active, allergen) coded SMX/TMP recoded as a clinical drug (SCD) with its display. */
function smxTmpAsClinicalDrug(bundle: Bundle): Bundle {
  const scd = { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '198335', display: 'sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet' };
  return {
    ...bundle,
    entry: (bundle.entry ?? []).map((e): BundleEntry => {
      const r = e.resource;
      if (r?.resourceType === 'MedicationRequest' && r.medicationCodeableConcept?.coding?.[0]?.code === SMX_TMP) {
        const next: MedicationRequest = { ...r, medicationCodeableConcept: { coding: [scd], text: scd.display } };
        return { ...e, resource: next };
      }
      return e;
    }),
  };
}

describe('med-safety CDS service over HTTP', () => {
  it('serves a discovery document with the order-sign service and its prefetch templates', async () => {
    expect(flawed.cdsUrl).toBe(`${flawed.url}/cds-services`);
    const res = await fetch(flawed.cdsUrl);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { services: { id: string; hook: string; prefetch: Record<string, string> }[] };
    expect(doc.services).toHaveLength(1);
    expect(doc.services[0]).toMatchObject({ id: 'med-safety', hook: 'order-sign', title: expect.any(String), description: expect.any(String) });
    expect(doc.services[0]!.prefetch).toMatchObject({
      patient: 'Patient/{{context.patientId}}',
      allergies: expect.stringMatching(/^AllergyIntolerance\?patient=\{\{context\.patientId\}\}/),
      medications: expect.stringMatching(/^MedicationRequest\?/),
      labs: expect.stringMatching(/^Observation\?/),
    });
  });

  it('baseline: flaw-free alerts on every significant conflict and nothing else; the flawed service misses the SMX/TMP ones', async () => {
    const bundles = cases.map((c) => c.bundle);
    const [bad, good] = await Promise.all([callAll(flawed, bundles), callAll(flawFree, bundles)]);
    expect(good.every((p) => statusOf(p) === 200)).toBe(true);
    for (const p of [...bad, ...good]) for (const card of p.cards ?? []) expect(Card.safeParse(card).success).toBe(true);

    const free = alertMetrics(alerted(good), conflict(cases));
    expect(free.sensitivity).toBe(1);
    expect(free.falseAlertRate).toBe(0);

    const flawedFigures = alertMetrics(alerted(bad), conflict(cases));
    expect(flawedFigures.falseAlertRate).toBe(0);
    expect(flawedFigures.sensitivity).toBeLessThan(0.95);
    expect(flawedFigures.sensitivity).toBeGreaterThan(0.7);
    // Every miss is an order whose significant conflict involves SMX/TMP (MIN 10831).
    bad.forEach((p, i) => {
      const c = cases[i]!;
      if (c.truth.label === 1 && p.label !== 1) {
        const draft = c.bundle.entry!.map((e) => e.resource).find((r): r is MedicationRequest => r?.resourceType === 'MedicationRequest' && r.status === 'draft')!;
        const viaMin = draft.medicationCodeableConcept?.coding?.[0]?.code === SMX_TMP || c.truth.conflicts!.some((x) => isSignificant(x.severity) && x.with === SMX_TMP);
        expect(viaMin, `case ${c.index}`).toBe(true);
      }
    });
  });

  it('SMX/TMP orders coded as a clinical drug (SCD): the flaw-free service still alerts by the display, the flawed one does not', async () => {
    const isSmxDraft = (c: Case) =>
      c.bundle.entry!.some((e) => e.resource?.resourceType === 'MedicationRequest' && e.resource.status === 'draft' && e.resource.medicationCodeableConcept?.coding?.[0]?.code === SMX_TMP);
    const smx = cases.filter((c) => c.truth.label === 1 && isSmxDraft(c));
    expect(smx.length).toBeGreaterThan(5);
    const recoded = smx.map((c) => smxTmpAsClinicalDrug(c.bundle));
    const [bad, good] = await Promise.all([callAll(flawed, recoded), callAll(flawFree, recoded)]);
    expect(good.every((p) => p.label === 1)).toBe(true);
    expect(bad.every((p) => p.label === 0)).toBe(true);
  });

  it('answers bad requests with JSON errors: 400, 412 without prefetch, 404 for another service', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${flawFree.cdsUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const context = { userId: 'Practitioner/x', patientId: 'p', draftOrders: { resourceType: 'Bundle', entry: [] } };
    const invalid = await post('/med-safety', { hook: 'order-sign', context });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'invalid-request', message: expect.stringMatching(/hookInstance/) } });
    const hook = await post('/med-safety', { hook: 'patient-view', hookInstance: 'h', context, prefetch: {} });
    expect(hook.status).toBe(400);
    expect(await hook.json()).toMatchObject({ error: { code: 'unsupported-hook' } });
    const noPrefetch = await post('/med-safety', { hook: 'order-sign', hookInstance: 'h', context });
    expect(noPrefetch.status).toBe(412);
    expect(await noPrefetch.json()).toMatchObject({ error: { code: 'prefetch-required' } });
    const other = await post('/other', { hook: 'order-sign', hookInstance: 'h', context, prefetch: {} });
    expect(other.status).toBe(404);
    const empty = await post('/med-safety', { hook: 'order-sign', hookInstance: 'h', context, prefetch: { patient: null } });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ cards: [] });
    const malformed = await fetch(`${flawFree.cdsUrl}/med-safety`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hook":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid-json' } });
  });
});
