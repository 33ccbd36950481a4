/*
 * The case's FHIR Bundle as plain text for a prompt: the note, the observations, conditions,
 * medications, allergies and the patient line. Read defensively (perturbed and fuzzed bundles are
 * any JSON): what cannot be read is left out, never thrown on.
 *
 * The observation line format is a documented contract (models/protocols/chat-prompt.ts reads it
 * back), one line per Observation with a numeric `valueQuantity`:
 *
 *   - Heart rate [LOINC 8867-4]: 112 /min, 2025-03-01T10:00:00Z
 *
 * name, then the codes in brackets (`LOINC c`, `SNOMED c`, `RxNorm c`, else `system|code`), the
 * value as JavaScript prints the number (exact), the unit (`valueQuantity.code`, else `.unit`) and
 * the time (`effectiveDateTime`, else `issued`) when present. Bundle order is kept.
 */

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  'http://loinc.org': 'LOINC',
  'http://snomed.info/sct': 'SNOMED',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
};

/** Statuses that void a resource: it is not shown to the model. */
const VOID = new Set(['entered-in-error', 'cancelled']);

/** One line of text: no line breaks, and none of the characters the line format uses as delimiters. */
const oneLine = (text: string, forbidden: RegExp = /[\r\n]+/g): string => text.replace(forbidden, ' ').replace(/\s+/g, ' ').trim();

export function resourcesOf(bundle: unknown): Loose[] {
  if (!isRecord(bundle)) return [];
  return list(bundle.entry).flatMap((e) => (isRecord(e) && isRecord(e.resource) && typeof e.resource.resourceType === 'string' ? [e.resource] : []));
}

/** `LOINC 8867-4, LOINC 2708-6` for a CodeableConcept; empty when it has no coded coding. */
export function codesOf(concept: unknown): string {
  if (!isRecord(concept)) return '';
  return list(concept.coding)
    .flatMap((c) => {
      if (!isRecord(c) || str(c.code) === undefined) return [];
      const system = str(c.system);
      const name = system === undefined ? undefined : SYSTEM_NAMES[system];
      const code = oneLine(str(c.code)!, /[\r\n,\]\[]+/g);
      return [name ? `${name} ${code}` : system ? `${oneLine(system, /[\r\n,\]\[|]+/g)}|${code}` : code];
    })
    .join(', ');
}

/** The human name of a concept: its text, else its first coding's display, else its codes. */
export function nameOf(concept: unknown): string {
  if (!isRecord(concept)) return 'unnamed';
  const display = str(concept.text) ?? list(concept.coding).map((c) => (isRecord(c) ? str(c.display) : undefined)).find((d) => d !== undefined);
  // Brackets delimit the codes in a line: a name keeps its bracketed words as parentheses.
  const name = display === undefined ? codesOf(concept) : oneLine(display.replace(/\[/g, '(').replace(/\]/g, ')'));
  return name === '' ? 'unnamed' : name;
}

function attachmentText(attachment: Loose): string | undefined {
  const type = (str(attachment.contentType) ?? 'text/plain').toLowerCase();
  const data = str(attachment.data);
  if (!type.startsWith('text/') || data === undefined) return undefined;
  const text = Buffer.from(data, 'base64').toString('utf8');
  // Markup is not what a clinician reads; the tags are dropped, the text between them kept.
  return type.startsWith('text/html') ? text.replace(/<[^>]*>/g, ' ') : text;
}

/**
 * The text of every DocumentReference (status other than `entered-in-error`), each `text/*`
 * attachment decoded from base64, HTML tags dropped, joined by line breaks; '' when there is none.
 */
export function noteOf(bundle: unknown): string {
  const parts: string[] = [];
  for (const r of resourcesOf(bundle)) {
    if (r.resourceType !== 'DocumentReference' || r.status === 'entered-in-error') continue;
    for (const content of list(r.content)) {
      if (!isRecord(content) || !isRecord(content.attachment)) continue;
      const text = attachmentText(content.attachment);
      if (text !== undefined && text.trim() !== '') parts.push(text);
    }
  }
  return parts.join('\n');
}

/** One line per Observation with a finite numeric valueQuantity (the module comment's format). */
export function observationLines(bundle: unknown): string[] {
  const out: string[] = [];
  for (const r of resourcesOf(bundle)) {
    if (r.resourceType !== 'Observation' || VOID.has(str(r.status) ?? '')) continue;
    const q = r.valueQuantity;
    if (!isRecord(q) || typeof q.value !== 'number' || !Number.isFinite(q.value)) continue;
    const unit = str(q.code) ?? str(q.unit);
    const time = str(r.effectiveDateTime) ?? str(r.issued);
    const comparator = str(q.comparator) ?? '';
    let line = `- ${nameOf(r.code)} [${codesOf(r.code)}]: ${oneLine(comparator)}${String(q.value)}`;
    if (unit !== undefined && oneLine(unit, /[\r\n,]+/g) !== '') line += ` ${oneLine(unit, /[\r\n,]+/g)}`;
    if (time !== undefined && !/[\s,]/.test(time)) line += `, ${time}`;
    out.push(line);
  }
  return out;
}

/** Active-looking Conditions: name and codes (a clinicalStatus other than active is shown). */
export function conditionLines(bundle: unknown): string[] {
  return resourcesOf(bundle)
    .filter((r) => r.resourceType === 'Condition' && !VOID.has(statusCode(r.verificationStatus) ?? ''))
    .map((r) => {
      const status = statusCode(r.clinicalStatus);
      return `- ${nameOf(r.code)} [${codesOf(r.code)}]${status && status !== 'active' ? ` (${status})` : ''}`;
    });
}

/** Allergies and intolerances: substance, codes, and criticality when given. */
export function allergyLines(bundle: unknown): string[] {
  return resourcesOf(bundle)
    .filter((r) => r.resourceType === 'AllergyIntolerance' && !VOID.has(statusCode(r.verificationStatus) ?? ''))
    .map((r) => {
      const criticality = str(r.criticality);
      return `- ${nameOf(r.code)} [${codesOf(r.code)}]${criticality ? ` (criticality ${oneLine(criticality)})` : ''}`;
    });
}

function medicationName(r: Loose): string {
  if (isRecord(r.medicationCodeableConcept)) return `${nameOf(r.medicationCodeableConcept)} [${codesOf(r.medicationCodeableConcept)}]`;
  const display = isRecord(r.medicationReference) ? str(r.medicationReference.display) : undefined;
  return display === undefined ? 'unnamed medication' : oneLine(display);
}

const isDraftOrder = (r: Loose): boolean => r.resourceType === 'MedicationRequest' && r.status === 'draft';

/** Medications the patient takes: MedicationRequests (not drafts) and MedicationStatements. */
export function medicationLines(bundle: unknown): string[] {
  return resourcesOf(bundle)
    .filter((r) => (r.resourceType === 'MedicationRequest' || r.resourceType === 'MedicationStatement') && !isDraftOrder(r) && !VOID.has(str(r.status) ?? ''))
    .map((r) => `- ${medicationName(r)}${typeof r.status === 'string' ? ` (${oneLine(r.status)})` : ''}`);
}

/** Orders being signed: the draft MedicationRequests, with their dosage text when given. */
export function orderLines(bundle: unknown): string[] {
  return resourcesOf(bundle)
    .filter(isDraftOrder)
    .map((r) => {
      const dosage = list(r.dosageInstruction).map((d) => (isRecord(d) ? str(d.text) : undefined)).find((t) => t !== undefined);
      return `- ${medicationName(r)}${dosage ? `: ${oneLine(dosage)}` : ''}`;
    });
}

/** `58-year-old female`: age at the Bundle's timestamp (else now) from the Patient's birthDate, and sex. */
export function patientLine(bundle: unknown): string {
  const patient = resourcesOf(bundle).find((r) => r.resourceType === 'Patient');
  if (!patient) return 'unknown';
  const parts: string[] = [];
  const born = Date.parse(str(patient.birthDate) ?? '');
  const at = Date.parse((isRecord(bundle) ? str(bundle.timestamp) : undefined) ?? '');
  if (!Number.isNaN(born)) {
    const years = Math.floor(((Number.isNaN(at) ? Date.now() : at) - born) / (365.2425 * 86_400_000));
    if (years >= 0 && years < 150) parts.push(`${years}-year-old`);
  }
  const gender = str(patient.gender);
  parts.push(gender === undefined ? 'patient' : oneLine(gender));
  return parts.join(' ');
}

function statusCode(concept: unknown): string | undefined {
  if (!isRecord(concept)) return undefined;
  return list(concept.coding).map((c) => (isRecord(c) ? str(c.code) : undefined)).find((c) => c !== undefined);
}
