import type { Bundle, BundleEntry, DocumentReference, FhirResource, Observation, Patient } from 'fhir/r4.js';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const SNOMED = 'http://snomed.info/sct';

export function resources(bundle: Bundle): FhirResource[] {
  const out: FhirResource[] = [];
  for (const entry of bundle.entry ?? []) if (entry.resource) out.push(entry.resource);
  return out;
}

export function patientOf(bundle: Bundle): Patient | undefined {
  for (const entry of bundle.entry ?? []) if (entry.resource?.resourceType === 'Patient') return entry.resource;
  return undefined;
}

export function hasLoinc(obs: Observation, loinc: string): boolean {
  return obs.code.coding?.some((c) => c.system === LOINC && c.code === loinc) ?? false;
}

/** Observations coded with the given LOINC code, in bundle order. */
export function observations(bundle: Bundle, loinc: string): Observation[] {
  const out: Observation[] = [];
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'Observation' && hasLoinc(r, loinc)) out.push(r);
  }
  return out;
}

/** Triage or clinical note text of the bundle's first DocumentReference (UTF-8, base64 in FHIR). */
export function noteText(bundle: Bundle): string | undefined {
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'DocumentReference') {
      const data = r.content[0]?.attachment.data;
      return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
    }
  }
  return undefined;
}

/** Structured copy of a bundle with `replace` applied to each entry; entries mapped to null are dropped. */
export function mapEntries(
  bundle: Bundle,
  replace: (entry: BundleEntry) => BundleEntry | null,
): Bundle {
  const entry: BundleEntry[] = [];
  for (const e of bundle.entry ?? []) {
    const next = replace(e);
    if (next) entry.push(next);
  }
  return { ...bundle, entry };
}

export function withNoteText(doc: DocumentReference, text: string): DocumentReference {
  const [first, ...rest] = doc.content;
  if (!first) return doc;
  return {
    ...doc,
    content: [{ ...first, attachment: { ...first.attachment, data: Buffer.from(text, 'utf8').toString('base64') } }, ...rest],
  };
}
