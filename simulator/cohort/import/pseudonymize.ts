import { createHmac } from 'node:crypto';
import { US_CORE_BIRTHSEX, US_CORE_ETHNICITY, US_CORE_RACE } from '../demographics.ts';

/**
 * Pseudonymization of imported patients, so that no identifier or name of a real (or realistic)
 * patient reaches a case, a journal or a report.
 *
 * - `pseudonymize(id, salt)`: HMAC-SHA256 keyed by the salt, formatted as a uuid (RFC 9562
 *   version 8, "custom"). The same id and salt always give the same pseudonym (stable across runs,
 *   so resume, compare and shards agree); without the salt it cannot be recomputed from a guessed id.
 * - `deidentifyPatientResources(resources, patient, salt)`: rewrites the Patient (pseudonym id,
 *   one pseudonym identifier, an anonymous name; telecom, address details, contacts, photo, links,
 *   narrative and non-US-Core extensions dropped) and scrubs every string of every resource of the
 *   patient — including text attachments, which are decoded, scrubbed and re-encoded — replacing
 *   the patient's id, identifier values, name parts, telecom values and address lines wherever they
 *   occur (whole words, case-insensitive). References to the patient follow the new id.
 *
 * Kept on purpose: birthDate (the age is a model input), gender, race/ethnicity/birth-sex, all
 * clinical content and dates, and the ids of the other resources (Encounter, Condition, …), which
 * identify records, not people. This is pseudonymization for testing models, not a HIPAA Safe
 * Harbor de-identification: dates of service and birth remain.
 */

export const PSEUDONYM_SYSTEM = 'https://clinsim.example/fhir/pseudonym';

const HEX = /^[0-9a-f]+$/;

/** Pseudonym of an identifier: HMAC-SHA256(key = salt, id), uuid-shaped (version 8, variant 10). */
export function pseudonymize(id: string, salt: string): string {
  if (salt.length === 0) throw new RangeError('pseudonymize needs a non-empty salt');
  const h = createHmac('sha256', salt).update(id, 'utf8').digest('hex');
  if (!HEX.test(h)) throw new Error('unexpected digest');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const records = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** Extensions of Patient kept after pseudonymization (demographic categories used for subgroups). */
const KEPT_PATIENT_EXTENSIONS = new Set([
  US_CORE_RACE,
  US_CORE_ETHNICITY,
  US_CORE_BIRTHSEX,
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity',
]);

const MOTHERS_MAIDEN_NAME = 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName';

export const REDACTED = {
  identifier: '[redacted-identifier]',
  name: '[redacted-name]',
  telecom: '[redacted-telecom]',
  address: '[redacted-address]',
} as const;

/** Identifier-like tokens shorter than this are not scrubbed (too short to identify, too common to replace). */
const MIN_IDENTIFIER_LENGTH = 3;
const MIN_NAME_LENGTH = 2;

/** The strings of a Patient that identify the person, each with its replacement. */
export function identifyingTokens(patient: Json, pseudonym: string): Map<string, string> {
  const tokens = new Map<string, string>();
  const add = (value: string, replacement: string, min: number): void => {
    const v = value.trim();
    if (v.length >= min && !tokens.has(v.toLowerCase())) tokens.set(v.toLowerCase(), replacement);
  };
  if (typeof patient.id === 'string') add(patient.id, pseudonym, MIN_IDENTIFIER_LENGTH);
  for (const id of records(patient.identifier)) {
    for (const v of strings(id.value)) add(v, v === patient.id ? pseudonym : REDACTED.identifier, MIN_IDENTIFIER_LENGTH);
  }
  const nameWords = (name: Json): void => {
    for (const part of [...strings(name.family), ...strings(name.given), ...strings(name.text)]) {
      add(part, REDACTED.name, MIN_NAME_LENGTH);
      for (const word of part.split(/\s+/)) add(word, REDACTED.name, MIN_NAME_LENGTH);
    }
  };
  for (const name of records(patient.name)) nameWords(name);
  const telecoms = (v: unknown): void => {
    for (const t of records(v)) for (const s of strings(t.value)) add(s, REDACTED.telecom, MIN_IDENTIFIER_LENGTH);
  };
  const addresses = (v: unknown): void => {
    for (const a of [...records(v), ...(isRecord(v) ? [v] : [])]) {
      for (const s of [...strings(a.line), ...strings(a.text)]) add(s, REDACTED.address, MIN_IDENTIFIER_LENGTH);
    }
  };
  telecoms(patient.telecom);
  addresses(patient.address);
  for (const contact of records(patient.contact)) {
    if (isRecord(contact.name)) nameWords(contact.name);
    telecoms(contact.telecom);
    addresses(contact.address);
  }
  for (const ext of records(patient.extension)) {
    if (ext.url === MOTHERS_MAIDEN_NAME) for (const s of strings(ext.valueString)) nameWords({ text: s });
  }
  return tokens;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A function replacing every whole-word occurrence of the tokens (longest first, case-insensitive). */
export function scrubber(tokens: ReadonlyMap<string, string>): (text: string) => string {
  if (tokens.size === 0) return (t) => t;
  const alternatives = [...tokens.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(escape);
  // Built on first use: compiling a large case-insensitive Unicode regex costs more than most
  // patients' whole scrub, and most patients of structured data never need it.
  let compiled: RegExp | undefined;
  const regex = (): RegExp =>
    (compiled ??= new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu'));
  const keys = [...tokens.keys()];
  const shortest = Math.min(...keys.map((k) => k.length));
  return (text) => {
    // Most strings (codes, dates, ids of other resources) hold no token: a plain substring test first.
    if (text.length < shortest) return text;
    const lower = text.toLowerCase();
    if (!keys.some((k) => lower.includes(k))) return text;
    // A case-folded match whose lowercase is not a key (rare Unicode folding) is still redacted.
    return text.replace(regex(), (m) => tokens.get(m.toLowerCase()) ?? '[redacted]');
  };
}

const TEXT_TYPE = /^(text\/|application\/(json|xml|fhir\+json|fhir\+xml|xhtml\+xml|rtf)\b)/i;

/**
 * Rewrites a reference or URL to the patient (`Patient/<id>`, `…/Patient/<id>[/_history/v]`,
 * `urn:uuid:<id>`) to the pseudonym; other strings are returned unchanged. Works for ids of any
 * length, unlike the free-text scrub.
 */
export function patientReferenceRewriter(id: string, pseudonym: string): (reference: string) => string {
  const tail = /^(.*\bPatient\/)([^/?#]+)(\/_history\/[^/?#]+)?$/;
  return (ref) => {
    if (ref === `urn:uuid:${id}`) return `urn:uuid:${pseudonym}`;
    const m = tail.exec(ref);
    return m && m[2] === id ? `${m[1]}${pseudonym}${m[3] ?? ''}` : ref;
  };
}

/** Deep copy of a JSON value with `scrub` applied to every string; attachments handled as documented. */
function scrubValue(value: unknown, scrub: (s: string) => string, rewrite: (ref: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, scrub, rewrite));
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'reference' && typeof v === 'string' ? scrub(rewrite(v)) : scrubValue(v, scrub, rewrite);
  }
  if (typeof value.data === 'string' && typeof value.contentType === 'string') {
    // An Attachment with inline data: scrub decoded text; drop binary content nobody can scrub.
    delete out.size;
    delete out.hash;
    if (TEXT_TYPE.test(value.contentType)) {
      const text = Buffer.from(value.data, 'base64').toString('utf8');
      out.data = Buffer.from(scrub(text), 'utf8').toString('base64');
    } else {
      delete out.data;
    }
  }
  return out;
}

/** The Patient rewritten: pseudonym id and identifier, anonymous name, identifying elements dropped. */
function pseudonymousPatient(patient: Json, pseudonym: string, scrub: (s: string) => string, rewrite: (ref: string) => string): Json {
  // The identifying elements are dropped or replaced, not scrubbed; the rest is scrubbed.
  const {
    text: _text,
    identifier: _identifier,
    name: _name,
    telecom: _telecom,
    address,
    contact: _contact,
    photo: _photo,
    link: _link,
    extension,
    resourceType: _type,
    id: _id,
    ...rest
  } = patient;
  const { meta, ...clinical } = scrubValue(rest, scrub, rewrite) as Json;
  const kept = records(scrubValue(extension, scrub, rewrite)).filter((e) => typeof e.url === 'string' && KEPT_PATIENT_EXTENSIONS.has(e.url));
  const regions = records(address)
    .map((a) => ({ ...(typeof a.state === 'string' ? { state: a.state } : {}), ...(typeof a.country === 'string' ? { country: a.country } : {}) }))
    .filter((a) => Object.keys(a).length > 0);
  return {
    resourceType: 'Patient',
    id: pseudonym,
    ...(meta !== undefined ? { meta } : {}),
    ...(kept.length > 0 ? { extension: kept } : {}),
    identifier: [{ system: PSEUDONYM_SYSTEM, value: pseudonym }],
    name: [{ use: 'anonymous', family: 'Anonymous' }],
    ...clinical,
    ...(regions.length > 0 ? { address: regions } : {}),
  };
}

export interface Deidentified {
  /** The resources, in input order, pseudonymized. */
  readonly resources: Json[];
  readonly pseudonym: string;
  /** Scrubs another string of the patient's data the same way (e.g. an entry's fullUrl). */
  readonly scrubUrl: (text: string) => string;
}

/**
 * The resources of one patient, pseudonymized (see the module comment). `patient` is the Patient
 * among them (compared by identity). Returns new objects; the input is not modified.
 */
export function deidentifyPatientResources(resources: readonly Json[], patient: Json, salt: string): Deidentified {
  const originalId = typeof patient.id === 'string' ? patient.id : '';
  const pseudonym = pseudonymize(originalId, salt);
  const scrub = scrubber(identifyingTokens(patient, pseudonym));
  const rewrite = patientReferenceRewriter(originalId, pseudonym);
  return {
    pseudonym,
    resources: resources.map((r) => (r === patient ? pseudonymousPatient(r, pseudonym, scrub, rewrite) : (scrubValue(r, scrub, rewrite) as Json))),
    scrubUrl: (text) => scrub(rewrite(text)),
  };
}
