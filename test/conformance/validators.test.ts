import { beforeAll, describe, expect, it } from 'vitest';
import type { Observation, Patient } from 'fhir/r4.js';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';
import { US_CORE_PATIENT, validateProfile, VITAL_SIGNS, vitalSignsProfiles } from '../../simulator/fhir/profile.ts';
import { parseLiteralReference, referencesIn, unresolvedReferences } from '../../simulator/fhir/references.ts';
import { fhirResourceTypes, formatProblems, pointerToPath, validateResource, warmUpValidator } from '../../simulator/fhir/validate.ts';

/**
 * The validators the conformance suite relies on must find what they are for; otherwise "zero
 * problems" would prove nothing.
 */

beforeAll(() => {
  warmUpValidator();
});

const good = () => structuredClone(sepsisTask.generate({ seed: 5 }, 0).bundle);

describe('validateResource (HL7 FHIR R4 JSON schema)', () => {
  it('knows the R4 resource types', () => {
    const types = fhirResourceTypes();
    expect(types.has('Patient')).toBe(true);
    expect(types.has('Observation')).toBe(true);
    expect(types.size).toBeGreaterThan(140);
  });

  it('accepts a generated bundle and finds each kind of structural problem, with a FHIRPath-like path', () => {
    expect(validateResource(good())).toEqual([]);
    const cases: [string, (r: Record<string, unknown>) => void, string, RegExp][] = [
      ['unknown element', (p) => (p.favouriteColour = 'blue'), 'Patient', /unknown element "favouriteColour"/],
      ['bad code', (p) => (p.gender = 'F'), 'Patient.gender', /"F" must be one of "male", "female", "other", "unknown"/],
      ['bad date', (p) => (p.birthDate = '1950-13-01'), 'Patient.birthDate', /does not match the FHIR format/],
      ['wrong JSON type', (p) => (p.active = 'yes'), 'Patient.active', /must be of JSON type boolean/],
      ['nested', (p) => ((p.identifier as { system: unknown }[])[0]!.system = 42), 'Patient.identifier[0].system', /must be of JSON type string/],
      ['bad id', (p) => (p.id = 'has space'), 'Patient.id', /does not match/],
    ];
    for (const [, mutate, path, message] of cases) {
      const patient = structuredClone(good().entry![0]!.resource!) as unknown as Record<string, unknown>;
      mutate(patient);
      const problems = validateResource(patient);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.path).toBe(path);
      expect(problems[0]!.message).toMatch(message);
    }
  });

  it('validates the entries of a Bundle against their own types', () => {
    const bundle = good();
    const obs = bundle.entry![3]!.resource as Observation;
    (obs as unknown as Record<string, unknown>).status = 'done';
    (bundle.entry![4]!.resource as unknown as Record<string, unknown>).valueQuantity = { value: '12' };
    const problems = validateResource(bundle);
    expect(problems.map((p) => p.path)).toEqual(['Bundle.entry[3].resource.status', 'Bundle.entry[4].resource.valueQuantity.value']);
    expect(formatProblems(problems)).toContain('Bundle.entry[3].resource.status: "done" must be one of');
    expect(validateResource({ ...bundle, type: 'pile' })[0]!.path).toBe('Bundle.type');
  });

  it('reports non-resources instead of throwing', () => {
    expect(validateResource(null)).toEqual([{ path: '$', message: 'is not a JSON object' }]);
    expect(validateResource([])).toEqual([{ path: '$', message: 'is not a JSON object' }]);
    expect(validateResource({})).toEqual([{ path: '$', message: 'has no resourceType' }]);
    expect(validateResource({ resourceType: 'Banana' })).toEqual([{ path: '$', message: 'unknown resourceType "Banana"' }]);
    expect(validateResource({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Banana' } }] })).toEqual([
      { path: 'Bundle.entry[0].resource', message: 'unknown resourceType "Banana"' },
    ]);
  });

  it('pointerToPath turns JSON pointers into FHIRPath-like paths', () => {
    expect(pointerToPath('')).toBe('');
    expect(pointerToPath('/entry/3/resource/code/coding/0/system')).toBe('.entry[3].resource.code.coding[0].system');
    expect(pointerToPath('/a~1b/c~0d')).toBe('.a/b.c~d');
  });
});

describe('validateProfile (Medplum, US Core 5.0.1 and core vital signs)', () => {
  const patient = (): Patient => structuredClone(good().entry![0]!.resource as Patient);

  // Not checked by Medplum 4.5: the inner structure of the race / ethnicity extensions (e.g. the
  // required `text` sub-extension of us-core-race).
  it('US Core Patient: identifier, name and gender are required', () => {
    expect(validateProfile(patient(), US_CORE_PATIENT)).toEqual([]);
    const noIdentifier = patient();
    delete noIdentifier.identifier;
    expect(validateProfile(noIdentifier, US_CORE_PATIENT).map((p) => p.path)).toContain('Patient.identifier');
    const noGender = patient();
    delete noGender.gender;
    expect(validateProfile(noGender, US_CORE_PATIENT).map((p) => p.path)).toContain('Patient.gender');
    const emptyName = patient();
    emptyName.name = [{ use: 'official' }];
    expect(validateProfile(emptyName, US_CORE_PATIENT).length).toBeGreaterThan(0);
    expect(() => validateProfile(patient(), 'http://example.org/StructureDefinition/nope')).toThrow(RangeError);
  });

  it('vital signs: SpO2 needs 2708-6 beside 59408-5; effective[x] and the heart-rate code are required', () => {
    const spo2 = good().entry!.map((e) => e.resource).find((r) => r?.resourceType === 'Observation' && r.code.coding![0]!.code === '59408-5') as Observation;
    expect(vitalSignsProfiles(spo2)).toEqual([VITAL_SIGNS, 'http://hl7.org/fhir/StructureDefinition/oxygensat']);
    for (const p of vitalSignsProfiles(spo2)) expect(validateProfile(spo2, p)).toEqual([]);
    const only59408 = structuredClone(spo2);
    only59408.code = { coding: [only59408.code.coding![0]!] };
    expect(validateProfile(only59408, 'http://hl7.org/fhir/StructureDefinition/oxygensat').length).toBeGreaterThan(0);

    const hr = good().entry!.map((e) => e.resource).find((r) => r?.resourceType === 'Observation' && r.code.coding![0]!.code === '8867-4') as Observation;
    const noTime = structuredClone(hr);
    delete noTime.effectiveDateTime;
    expect(validateProfile(noTime, VITAL_SIGNS)).toEqual([{ path: 'Observation.effective[x]', message: 'Missing required property' }]);
    const otherCode = structuredClone(hr);
    otherCode.code = { coding: [{ system: 'http://loinc.org', code: '8889-8' }] };
    expect(validateProfile(otherCode, 'http://hl7.org/fhir/StructureDefinition/heartrate')[0]!.message).toMatch(/HeartRateCode/);
    // Not checked by Medplum 4.5: fixed values inside valueQuantity (a heart rate in Hz passes).
    const hz = structuredClone(hr);
    hz.valueQuantity = { ...hz.valueQuantity, code: 'Hz', unit: 'Hz' };
    expect(validateProfile(hz, 'http://hl7.org/fhir/StructureDefinition/heartrate')).toEqual([]);
    expect(vitalSignsProfiles({ resourceType: 'Observation', code: { coding: [{ system: 'http://loinc.org', code: '2524-7' }] } })).toEqual([]);
    expect(vitalSignsProfiles(null)).toEqual([]);
  });
});

describe('reference resolution', () => {
  it('finds references and resolves urn:uuid, Type/id, absolute and contained ones', () => {
    const bundle = good();
    expect(unresolvedReferences(bundle)).toEqual([]);
    expect(referencesIn(bundle.entry![1]!.resource).map((r) => r.path)).toEqual(['Encounter.subject.reference']);

    const extra = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'https://h.example/fhir/Patient/p1', resource: { resourceType: 'Patient', id: 'p1' } },
        {
          resource: {
            resourceType: 'Condition',
            id: 'c1',
            contained: [{ resourceType: 'Practitioner', id: 'doc' }],
            subject: { reference: 'Patient/p1' },
            asserter: { reference: '#doc' },
            recorder: { reference: 'https://h.example/fhir/Patient/p1' },
            evidence: [{ detail: [{ reference: 'Patient/p1/_history/2' }] }],
          },
        },
        {
          resource: {
            resourceType: 'Condition',
            id: 'c2',
            subject: { reference: 'Patient/p2' },
            asserter: { reference: '#missing' },
            recorder: { reference: 'Practitioner?identifier=x|1' },
            encounter: { reference: 'urn:uuid:0b1d2b4f-9a0e-4e53-9c4d-1f0f7d6b2a11' },
            evidence: [{ detail: [{ reference: 'not a reference' }] }],
          },
        },
      ],
    };
    expect(unresolvedReferences(extra)).toEqual([
      { path: 'Bundle.entry[2].resource.subject.reference', message: '"Patient/p2" matches no Patient entry of the bundle' },
      { path: 'Bundle.entry[2].resource.asserter.reference', message: '"#missing" names no contained resource' },
      { path: 'Bundle.entry[2].resource.recorder.reference', message: 'conditional reference "Practitioner?identifier=x|1" does not resolve inside a bundle' },
      { path: 'Bundle.entry[2].resource.encounter.reference', message: '"urn:uuid:0b1d2b4f-9a0e-4e53-9c4d-1f0f7d6b2a11" matches no entry fullUrl' },
      { path: 'Bundle.entry[2].resource.evidence[0].detail[0].reference', message: '"not a reference" is not a valid reference' },
    ]);
  });

  it('parseLiteralReference reads relative and absolute literal references', () => {
    expect(parseLiteralReference('Patient/123')).toEqual({ type: 'Patient', id: '123' });
    expect(parseLiteralReference('Observation/a.b-1/_history/3')).toEqual({ type: 'Observation', id: 'a.b-1' });
    expect(parseLiteralReference('https://x.example/fhir/Encounter/e1')).toEqual({ type: 'Encounter', id: 'e1' });
    expect(parseLiteralReference('urn:uuid:abc')).toBeUndefined();
    expect(parseLiteralReference('Patient?name=x')).toBeUndefined();
  });
});
