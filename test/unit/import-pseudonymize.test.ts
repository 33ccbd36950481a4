import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import {
  deidentifyPatientResources,
  identifyingTokens,
  patientReferenceRewriter,
  pseudonymize,
  REDACTED,
  scrubber,
} from '../../simulator/cohort/import/pseudonymize.ts';

type Json = Record<string, unknown>;

describe('pseudonymize', () => {
  it('is a salted HMAC-SHA256, uuid-shaped (version 8, RFC 4122 variant), deterministic', () => {
    const p = pseudonymize('129c6ac7-8d06-89de-ad63-0204a93e76c3', 'salt');
    expect(p).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pseudonymize('129c6ac7-8d06-89de-ad63-0204a93e76c3', 'salt')).toBe(p);
    const h = createHmac('sha256', 'salt').update('129c6ac7-8d06-89de-ad63-0204a93e76c3').digest('hex');
    expect(p.replace(/-/g, '').slice(0, 12)).toBe(h.slice(0, 12));
    expect(pseudonymize('129c6ac7-8d06-89de-ad63-0204a93e76c3', 'other')).not.toBe(p);
    expect(pseudonymize('129c6ac7-8d06-89de-ad63-0204a93e76c4', 'salt')).not.toBe(p);
    expect(() => pseudonymize('x', '')).toThrow(RangeError);
  });
});

describe('scrubbing', () => {
  const patient: Json = {
    resourceType: 'Patient',
    id: 'pat-12345',
    identifier: [{ value: 'pat-12345' }, { value: '999-12-3456' }, { value: '42' }],
    name: [{ family: 'García', given: ['Ana María'], text: 'Ana María García' }],
    telecom: [{ system: 'phone', value: '555-0100' }],
    address: [{ line: ['1 Elm Street'], city: 'Springfield', state: 'MA', country: 'US', postalCode: '01101' }],
    contact: [{ name: { family: 'Relative' }, telecom: [{ value: 'rel@example.org' }] }],
    gender: 'female',
    birthDate: '1970-01-01',
    extension: [
      { url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: 'Beatriz Lopez' },
      { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'F' },
    ],
  };

  it('tokens: id, identifiers (3+ chars), name parts and words, telecom, address lines, contacts, maiden name', () => {
    const tokens = identifyingTokens(patient, 'P');
    expect(tokens.get('pat-12345')).toBe('P');
    expect(tokens.get('999-12-3456')).toBe(REDACTED.identifier);
    expect(tokens.has('42')).toBe(false);
    for (const n of ['garcía', 'ana', 'maría', 'ana maría', 'ana maría garcía', 'relative', 'beatriz', 'lopez']) expect(tokens.get(n)).toBe(REDACTED.name);
    expect(tokens.get('555-0100')).toBe(REDACTED.telecom);
    expect(tokens.get('rel@example.org')).toBe(REDACTED.telecom);
    expect(tokens.get('1 elm street')).toBe(REDACTED.address);
  });

  it('replaces whole words only, case-insensitively, longest first', () => {
    const scrub = scrubber(identifyingTokens(patient, 'P'));
    expect(scrub('ANA MARÍA GARCÍA came in; Ana called 555-0100.')).toBe(`${REDACTED.name} came in; ${REDACTED.name} called ${REDACTED.telecom}.`);
    expect(scrub('Anatomy and Banana are not names; SSN 999-12-3456')).toBe(`Anatomy and Banana are not names; SSN ${REDACTED.identifier}`);
    expect(scrub('ref pat-12345 and pat-123456')).toBe('ref P and pat-123456');
    expect(scrub('')).toBe('');
    expect(scrubber(new Map())('unchanged')).toBe('unchanged');
  });

  it('references to the patient follow the pseudonym, whatever the id length', () => {
    const rewrite = patientReferenceRewriter('7', 'P');
    expect(rewrite('Patient/7')).toBe('Patient/P');
    expect(rewrite('https://h.example/fhir/Patient/7/_history/2')).toBe('https://h.example/fhir/Patient/P/_history/2');
    expect(rewrite('urn:uuid:7')).toBe('urn:uuid:P');
    expect(rewrite('Patient/77')).toBe('Patient/77');
    expect(rewrite('Encounter/7')).toBe('Encounter/7');
  });

  it('deidentifies a patient and its resources; text attachments are scrubbed, binary ones dropped', () => {
    const note = Buffer.from('Ana María García, MRN 999-12-3456, seen today.').toString('base64');
    const doc: Json = {
      resourceType: 'DocumentReference',
      id: 'doc-1',
      subject: { reference: 'Patient/pat-12345', display: 'Ana María García' },
      content: [
        { attachment: { contentType: 'text/plain', data: note, size: 47, hash: 'x' } },
        { attachment: { contentType: 'application/pdf', data: 'JVBERi0=' } },
      ],
    };
    const input = structuredClone([patient, doc]);
    const out = deidentifyPatientResources(input, input[0]!, 'salt');
    expect(input).toEqual([patient, doc]); // not modified
    const [p, d] = out.resources as [Json, Json];
    expect(p.id).toBe(out.pseudonym);
    expect(p.identifier).toEqual([{ system: 'https://clinsim.example/fhir/pseudonym', value: out.pseudonym }]);
    expect(p.name).toEqual([{ use: 'anonymous', family: 'Anonymous' }]);
    expect(p.address).toEqual([{ state: 'MA', country: 'US' }]);
    expect(p.extension).toEqual([{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'F' }]);
    for (const k of ['telecom', 'contact', 'text']) expect(p[k]).toBeUndefined();
    expect(p.birthDate).toBe('1970-01-01');
    expect(d.subject).toEqual({ reference: `Patient/${out.pseudonym}`, display: REDACTED.name });
    const [text, pdf] = (d.content as { attachment: Json }[]).map((c) => c.attachment);
    expect(Buffer.from(text!.data as string, 'base64').toString()).toBe(`${REDACTED.name}, MRN ${REDACTED.identifier}, seen today.`);
    expect(text!.size).toBeUndefined();
    expect(text!.hash).toBeUndefined();
    expect(pdf).toEqual({ contentType: 'application/pdf' });
    expect(out.scrubUrl('urn:uuid:pat-12345')).toBe(`urn:uuid:${out.pseudonym}`);
    expect(JSON.stringify(out.resources)).not.toMatch(/García|pat-12345|555-0100|Elm Street|Beatriz/i);
  });
});
