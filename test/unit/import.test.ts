import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Encounter, Patient } from 'fhir/r4.js';
import type { Case } from '../../simulator/case.ts';
import { writeCohort } from '../../simulator/cohort/export.ts';
import { importAll, importCases, ImportError, pseudonymize, PSEUDONYM_SYSTEM, type ImportStats } from '../../simulator/cohort/import/index.ts';
import { sepsisTask } from '../../simulator/cohort/sepsis/index.ts';
import { US_CORE_PATIENT, validateProfile } from '../../simulator/fhir/profile.ts';
import { unresolvedReferences } from '../../simulator/fhir/references.ts';
import { validateResource } from '../../simulator/fhir/validate.ts';

const SYNTHEA = '/work/shared/fixtures/synthea-bulk-10';
const SALT = 'test-salt-1';

type Json = Record<string, unknown>;

let root: string;
let patientLines: Json[];
let cases: Case[];
let stats: ImportStats | undefined;

async function ndjson(path: string): Promise<Json[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clinsim-import-'));
  patientLines = await ndjson(join(SYNTHEA, 'Patient.000.ndjson'));
  cases = await importAll(SYNTHEA, { task: 'sepsis', salt: SALT, onStats: (s) => (stats = s) });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every string of a case, with base64 attachment data decoded. */
function allText(c: Case): string {
  const parts: string[] = [JSON.stringify(c)];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Json;
      if (typeof o.data === 'string') parts.push(Buffer.from(o.data, 'base64').toString('utf8'));
      Object.values(o).forEach(walk);
    }
  };
  walk(c.bundle);
  return parts.join('\n').toLowerCase();
}

function patientOf(bundle: Bundle): Patient {
  const p = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource;
  return p as Patient;
}

describe('import: Synthea Bulk NDJSON (fixtures/synthea-bulk-10)', () => {
  it('gives one case per Patient resource, in file order, with indices from 0', () => {
    // The export is named "10 patients" (Synthea's living population); the Patient file also holds
    // 3 deceased patients, 13 Patient resources in all.
    expect(patientLines).toHaveLength(13);
    expect(cases).toHaveLength(patientLines.length);
    expect(cases.map((c) => c.index)).toEqual(patientLines.map((_, i) => i));
    expect(cases.map((c) => patientOf(c.bundle).id)).toEqual(patientLines.map((p) => pseudonymize(p.id as string, SALT)));
    for (const c of cases) {
      expect(c.task).toBe('sepsis');
      expect(c.truth).toEqual({});
      expect(c.bundle.type).toBe('collection');
      expect(c.bundle.entry![0]!.resource!.resourceType).toBe('Patient');
    }
  });

  it('groups resources by patient: counts per patient equal an independent count', async () => {
    const expected = new Map<string, Map<string, number>>();
    const files = (await readdir(SYNTHEA)).filter((f) => f.endsWith('.ndjson'));
    let shared = 0;
    for (const file of files) {
      for (const r of await ndjson(join(SYNTHEA, file))) {
        const type = r.resourceType as string;
        const ref = ((r.subject ?? r.patient) as { reference?: string } | undefined)?.reference;
        const id = type === 'Patient' ? (r.id as string) : ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
        if (id === undefined) {
          shared++;
          continue;
        }
        const counts = expected.get(id) ?? new Map<string, number>();
        counts.set(type, (counts.get(type) ?? 0) + 1);
        expected.set(id, counts);
      }
    }
    expect(expected.size).toBe(patientLines.length);
    for (const [i, p] of patientLines.entries()) {
      const got = new Map<string, number>();
      for (const e of cases[i]!.bundle.entry!) got.set(e.resource!.resourceType, (got.get(e.resource!.resourceType) ?? 0) + 1);
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected.get(p.id as string)!));
    }
    const total = [...expected.values()].reduce((s, m) => s + [...m.values()].reduce((a, b) => a + b, 0), 0);
    expect(stats).toEqual({ patients: patientLines.length, resources: total, unlinked: shared, orphaned: 0 });
  });

  it('no original identifier, name, telecom or address line appears anywhere in the cases', async () => {
    const identifiers = new Set<string>();
    const personal = patientLines.map((p) => {
      const own = new Set<string>([p.id as string]);
      for (const id of p.identifier as { value: string }[]) own.add(id.value);
      for (const s of own) identifiers.add(s);
      for (const n of p.name as { family?: string; given?: string[] }[]) {
        if (n.family) own.add(n.family);
        for (const g of n.given ?? []) own.add(g);
      }
      for (const t of (p.telecom as { value: string }[] | undefined) ?? []) own.add(t.value);
      for (const a of (p.address as { line?: string[] }[] | undefined) ?? []) for (const l of a.line ?? []) own.add(l);
      return own;
    });
    // Synthea draws practitioners' names from the same generator: "Johnson679" is a patient's family
    // name and also Dr. Johnson679 Schmidt332's given name, who appears in other patients' records.
    const practitionerNames = new Set(
      (await ndjson(join(SYNTHEA, 'Practitioner.000.ndjson'))).flatMap((d) =>
        (d.name as { family?: string; given?: string[] }[]).flatMap((n) => [n.family ?? '', ...(n.given ?? [])]),
      ),
    );
    // The clinical text of the fixture does name the patients: the scrub has work to do.
    const first = patientLines[0]!.name as { family: string; given: string[] }[];
    expect((await readFile(join(SYNTHEA, 'Encounter.000.ndjson'), 'utf8')).includes(`${first[0]!.given[0]} ${first[0]!.given[1]}`)).toBe(true);

    const leaks: string[] = [];
    for (const [i, c] of cases.entries()) {
      const text = allText(c);
      // The patient's own identifiers and name parts: never, anywhere in the case.
      for (const s of personal[i]!) if (text.includes(s.toLowerCase())) leaks.push(`case ${c.index}: own ${s}`);
      // Any patient's identifiers; other patients' names unless a practitioner has the same name.
      for (const [j, own] of personal.entries()) {
        if (j === i) continue;
        for (const s of own) {
          if (!identifiers.has(s) && practitionerNames.has(s)) continue;
          if (text.includes(s.toLowerCase())) leaks.push(`case ${c.index}: patient ${j}'s ${s}`);
        }
      }
    }
    expect(personal.reduce((n, s) => n + s.size, 0)).toBeGreaterThan(80);
    expect(leaks).toEqual([]);
  });

  it('the pseudonymized Patient keeps demographics and stays valid (FHIR R4 schema, US Core Patient)', () => {
    for (const [i, c] of cases.entries()) {
      const p = patientOf(c.bundle);
      const original = patientLines[i]!;
      expect(p.identifier).toEqual([{ system: PSEUDONYM_SYSTEM, value: p.id }]);
      expect(p.name).toEqual([{ use: 'anonymous', family: 'Anonymous' }]);
      expect(p.telecom).toBeUndefined();
      expect(p.birthDate).toBe(original.birthDate);
      expect(p.gender).toBe(original.gender);
      expect(p.extension!.map((e) => e.url)).toEqual([
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
        'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
      ]);
      expect(validateProfile(p, US_CORE_PATIENT)).toEqual([]);
      expect(validateResource(c.bundle)).toEqual([]);
      // References to the patient follow the pseudonym; only Synthea's conditional references to
      // shared Practitioner / Organization / Location resources stay unresolved.
      expect(unresolvedReferences(c.bundle).filter((u) => !u.message.startsWith('conditional reference'))).toEqual([]);
      expect(JSON.stringify(c.bundle)).toContain(`"Patient/${p.id}"`);
      expect(c.bundle.entry![0]!.fullUrl).toBe(`urn:uuid:${p.id}`);
    }
  });

  it('prediction time is the latest resource time; the table has age and sex, and empty vitals and labs', () => {
    for (const c of cases) {
      const times = c.bundle.entry!.flatMap((e) => {
        const r = e.resource as unknown as Json;
        if (r.resourceType === 'Encounter') return [(r.period as { end?: string; start?: string }).end ?? (r.period as { start: string }).start];
        return [];
      });
      const latestEncounter = Math.max(...times.map((t) => Date.parse(t)));
      expect(Date.parse(c.bundle.timestamp!)).toBeGreaterThanOrEqual(latestEncounter);
      const cells = sepsisTask.table.featuresOf(c.bundle);
      const named = Object.fromEntries(sepsisTask.table.features.map((f, i) => [f, cells[i]]));
      expect(typeof named.age_years).toBe('number');
      expect([0, 1]).toContain(named.sex_female);
      for (const f of sepsisTask.table.features.slice(2)) expect(named[f]).toBeNull();
      expect(sepsisTask.table.truthOf(c.truth)).toEqual([null, null]);
    }
  });

  it('is deterministic for a salt; another salt gives other pseudonyms', async () => {
    const again = await importAll(SYNTHEA, { task: 'sepsis', salt: SALT });
    expect(JSON.stringify(again)).toBe(JSON.stringify(cases));
    const other = await importAll(SYNTHEA, { task: 'sepsis', salt: 'another salt' });
    expect(patientOf(other[0]!.bundle).id).not.toBe(patientOf(cases[0]!.bundle).id);
    expect(other[0]!.bundle.entry!.length).toBe(cases[0]!.bundle.entry!.length);
  });

  it('latest-encounter scope: the Patient, one Encounter, its data and standing context', async () => {
    const snapshots = await importAll(SYNTHEA, { task: 'sepsis', salt: SALT, scope: 'latest-encounter' });
    expect(snapshots).toHaveLength(cases.length);
    for (const [i, s] of snapshots.entries()) {
      const encounters = s.bundle.entry!.filter((e) => e.resource?.resourceType === 'Encounter');
      expect(encounters).toHaveLength(1);
      const full = cases[i]!.bundle.entry!;
      const latestStart = Math.max(
        ...full.filter((e) => e.resource?.resourceType === 'Encounter').map((e) => Date.parse((e.resource as Encounter).period!.start!)),
      );
      expect(Date.parse((encounters[0]!.resource as Encounter).period!.start!)).toBe(latestStart);
      expect(s.bundle.entry!.length).toBeLessThan(full.length);
      expect(Date.parse(s.bundle.timestamp!)).toBeGreaterThanOrEqual(latestStart);
      expect(patientOf(s.bundle).id).toBe(patientOf(cases[i]!.bundle).id);
    }
  });

  it('streams: a consumer can stop early', async () => {
    let n = 0;
    for await (const c of importCases(SYNTHEA, { task: 'sepsis', salt: SALT })) {
      expect(c.index).toBe(n);
      if (++n === 2) break;
    }
    expect(n).toBe(2);
  });
});

describe('import: malformed input names the file and line', () => {
  async function brokenFolder(name: string, file: string, lines: string[]): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await copyFile(join(SYNTHEA, 'Patient.000.ndjson'), join(dir, 'Patient.000.ndjson'));
    await writeFile(join(dir, file), lines.join('\n') + '\n');
    return dir;
  }

  async function failure(path: string): Promise<ImportError> {
    try {
      await importAll(path, { task: 'sepsis', salt: SALT });
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      return err as ImportError;
    }
    throw new Error('expected an ImportError');
  }

  it('a line that is not JSON', async () => {
    const conditions = (await readFile(join(SYNTHEA, 'Condition.000.ndjson'), 'utf8')).split('\n').slice(0, 20);
    conditions[16] = conditions[16]!.slice(0, 40); // line 17 cut short
    const dir = await brokenFolder('broken-json', 'Condition.000.ndjson', conditions);
    const err = await failure(dir);
    expect(err.code).toBe('invalid-json');
    expect(err.line).toBe(17);
    expect(err.file).toBe(join(dir, 'Condition.000.ndjson'));
    expect(err.message).toMatch(/^Condition\.000\.ndjson:17: not valid JSON \(/);
  });

  it('a resource without resourceType, a JSON array, a Bundle inside Bulk NDJSON', async () => {
    const ok = JSON.stringify({ resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/x' } });
    const noType = await failure(await brokenFolder('no-type', 'Condition.000.ndjson', [ok, ok, JSON.stringify({ id: 'y' })]));
    expect([noType.code, noType.line, noType.message]).toEqual(['not-a-resource', 3, 'Condition.000.ndjson:3: not a FHIR resource (no resourceType)']);
    const array = await failure(await brokenFolder('array', 'Condition.000.ndjson', [ok, '[1,2]']));
    expect(array.message).toBe('Condition.000.ndjson:2: not a FHIR resource (a JSON array)');
    const bundle = await failure(await brokenFolder('bundle-in-bulk', 'Condition.000.ndjson', [ok, '', JSON.stringify({ resourceType: 'Bundle' })]));
    expect([bundle.code, bundle.line]).toEqual(['mixed-layout', 3]);
  });

  it('CRLF line ends, a BOM and blank lines are accepted; line numbers count blank lines', async () => {
    const dir = join(root, 'crlf');
    await mkdir(dir, { recursive: true });
    const patient = JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'male', birthDate: '1970-01-01' });
    const enc = JSON.stringify({ resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, period: { start: '2020-01-01T00:00:00Z' } });
    await writeFile(join(dir, 'Patient.000.ndjson'), `\uFEFF${patient}\r\n\r\n`);
    await writeFile(join(dir, 'Encounter.000.ndjson'), `\r\n${enc}\r\n\r\n{bad\r\n`);
    const err = await failure(dir);
    expect([err.code, err.line]).toEqual(['invalid-json', 4]);
    await writeFile(join(dir, 'Encounter.000.ndjson'), `\r\n${enc}\r\n`);
    const [c] = await importAll(dir, { task: 'sepsis', salt: SALT });
    expect(c!.bundle.entry!.map((e) => e.resource!.resourceType)).toEqual(['Patient', 'Encounter']);
    expect(c!.bundle.timestamp).toBe('2020-01-01T00:00:00.000Z');
    expect(sepsisTask.table.featuresOf(c!.bundle).slice(0, 2)).toEqual([50, 0]);
  });

  it('duplicate Patient ids, Patients without id, and unusable paths', async () => {
    const p = JSON.stringify({ resourceType: 'Patient', id: 'p1' });
    const dup = join(root, 'dup');
    await mkdir(dup);
    await writeFile(join(dup, 'Patient.000.ndjson'), `${p}\n${p}\n`);
    expect((await failure(dup)).message).toBe('Patient.000.ndjson:2: second Patient with id "p1"');
    await writeFile(join(dup, 'Patient.000.ndjson'), `${JSON.stringify({ resourceType: 'Patient' })}\n`);
    expect((await failure(dup)).code).toBe('patient-without-id');
    expect((await failure(join(root, 'does-not-exist'))).code).toBe('unreadable');
    const empty = join(root, 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'README.md'), 'hello');
    expect((await failure(empty)).code).toBe('unknown-layout');
    expect((await failure(join(empty, 'README.md'))).code).toBe('unknown-layout');
    await expect(importAll(SYNTHEA, { task: 'sepsis', salt: '' })).rejects.toThrow(RangeError);
  });
});

describe('import: Bundles', () => {
  const patient = (id: string, family: string): Json => ({
    resourceType: 'Patient',
    id,
    identifier: [{ system: 'urn:mrn', value: `MRN-${id}-0042` }],
    name: [{ family, given: ['Zebulon'] }],
    gender: 'female',
    birthDate: '1960-02-29',
  });
  const encounter = (id: string, patientUrl: string, start: string): Json => ({
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
    subject: { reference: patientUrl, display: 'Zebulon Quuxington' },
    period: { start },
  });

  it('a .json transaction Bundle (Synthea style) becomes one case; urn:uuid references follow the pseudonym', async () => {
    const dir = join(root, 'bundles');
    await mkdir(dir, { recursive: true });
    const pid = '5a4c7f0e-3b1d-4c2a-9e8f-0123456789ab';
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: `urn:uuid:${pid}`, resource: patient(pid, 'Quuxington'), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555', resource: encounter('11111111-2222-4333-8444-555555555555', `urn:uuid:${pid}`, '2024-05-01T10:00:00Z'), request: { method: 'POST', url: 'Encounter' } },
        { fullUrl: 'urn:uuid:99999999-2222-4333-8444-555555555555', resource: { resourceType: 'Organization', id: '99999999-2222-4333-8444-555555555555', name: 'General' } },
      ],
    };
    await writeFile(join(dir, 'a.json'), JSON.stringify(bundle, null, 2));
    const [c, ...rest] = await importAll(dir, { task: 'sepsis', salt: SALT });
    expect(rest).toEqual([]);
    const pseudonym = pseudonymize(pid, SALT);
    expect(c!.bundle.entry!.map((e) => e.fullUrl)).toEqual([`urn:uuid:${pseudonym}`, bundle.entry[1]!.fullUrl, bundle.entry[2]!.fullUrl]);
    expect(c!.bundle.entry!.every((e) => !('request' in e))).toBe(true);
    expect(unresolvedReferences(c!.bundle)).toEqual([]);
    const text = allText(c!);
    for (const secret of [pid, 'quuxington', 'zebulon', `mrn-${pid}-0042`]) expect(text).not.toContain(secret.toLowerCase());
    expect(c!.bundle.timestamp).toBe('2024-05-01T10:00:00.000Z');
    expect(sepsisTask.table.featuresOf(c!.bundle).slice(0, 2)).toEqual([64, 1]); // born on 29 Feb 1960
  });

  it('NDJSON of Bundles, and a Bundle holding several patients, give one case per Patient', async () => {
    const dir = join(root, 'bundles-ndjson');
    await mkdir(dir, { recursive: true });
    const two = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: patient('a', 'Aardvark') },
        { resource: patient('b', 'Bumblebee') },
        { resource: encounter('e-b', 'Patient/b', '2024-01-02T00:00:00Z') },
        { resource: encounter('e-a', 'Patient/a', '2024-01-01T00:00:00Z') },
        { resource: { resourceType: 'Practitioner', id: 'doc' } },
      ],
    };
    const one = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('c', 'Capybara') }] };
    await writeFile(join(dir, 'bundles.ndjson'), `${JSON.stringify(two)}\n${JSON.stringify(one)}\n`);
    let s: ImportStats | undefined;
    const out = await importAll(join(dir, 'bundles.ndjson'), { task: 'sepsis', salt: SALT, onStats: (x) => (s = x) });
    expect(out.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(out.map((c) => c.bundle.entry!.length)).toEqual([2, 2, 1]);
    expect(out.map((c) => c.bundle.timestamp)).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z', undefined]);
    expect(s).toEqual({ patients: 3, resources: 5, unlinked: 1, orphaned: 0 });
    expect(JSON.stringify(out)).not.toMatch(/Aardvark|Bumblebee|Capybara/);
  });

  it('errors: a Bundle without Patient, a resource that is not a Bundle, a .json file that does not parse', async () => {
    const dir = join(root, 'bundle-errors');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'x.ndjson');
    await writeFile(file, `${JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('a', 'A') }] })}\n${JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] })}\n`);
    await expect(importAll(file, { task: 'sepsis', salt: SALT })).rejects.toMatchObject({ code: 'no-patient', line: 2, message: 'x.ndjson:2: a Bundle without a Patient' });
    const json = join(dir, 'y.json');
    await writeFile(json, '{\n  "resourceType": "Bundle",\n  "entry": [],\n}\n'); // trailing comma
    await expect(importAll(json, { task: 'sepsis', salt: SALT })).rejects.toMatchObject({ code: 'invalid-json', line: 4 });
    await writeFile(json, '{\n  "resourceType": "Bundle",\n  "entry": [\n    oops\n  ]\n}\n');
    await expect(importAll(json, { task: 'sepsis', salt: SALT })).rejects.toMatchObject({ code: 'invalid-json', file: json });
    await writeFile(json, JSON.stringify(patient('a', 'A')));
    await expect(importAll(json, { task: 'sepsis', salt: SALT })).rejects.toMatchObject({ code: 'not-a-bundle', message: 'y.json: a Patient, not a Bundle' });
    await rm(json);
    await writeFile(join(dir, 'Patient.000.ndjson'), `${JSON.stringify(patient('a', 'A'))}\n`);
    await expect(importAll(dir, { task: 'sepsis', salt: SALT })).rejects.toMatchObject({ code: 'mixed-layout' });
  });
});

describe('import: round trip of clinsim exports', () => {
  const cohort = { seed: 4242 };
  const SIZE = 25;

  it.each(['ndjson', 'bundle'] as const)('format %s: same patients, resources and measurements; bundles stay valid', async (format) => {
    const dir = join(root, `roundtrip-${format}`);
    await writeCohort({ task: sepsisTask, cohort, size: SIZE, outDir: dir, format });
    const imported = await importAll(dir, { task: 'sepsis', salt: SALT });
    expect(imported).toHaveLength(SIZE);
    for (const [i, c] of imported.entries()) {
      const original = sepsisTask.generate(cohort, i);
      // Bulk NDJSON gives the Patient first, then the resources in file (type name) order.
      const types = (bundle: Bundle) => bundle.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
      expect(types(c.bundle)[0]).toBe(`Patient/${pseudonymize(types(original.bundle)[0]!.slice('Patient/'.length), SALT)}`);
      expect(types(c.bundle).slice(1).sort()).toEqual(types(original.bundle).slice(1).sort());
      const a = sepsisTask.table.featuresOf(c.bundle);
      const b = sepsisTask.table.featuresOf(original.bundle);
      expect(a.slice(1)).toEqual(b.slice(1)); // every measurement and sex
      expect(Math.abs((a[0] as number) - (b[0] as number))).toBeLessThanOrEqual(1); // age at the last data time, not the prediction time
      expect(Date.parse(c.bundle.timestamp!)).toBeLessThanOrEqual(Date.parse(original.bundle.timestamp!));
      expect(unresolvedReferences(c.bundle)).toEqual([]);
      expect(validateResource(c.bundle)).toEqual([]);
    }
  });
});
