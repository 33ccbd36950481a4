import { resourcesOf } from '../sepsis/features.ts';

/**
 * What the triage model reads of a FHIR Bundle (any JSON, read defensively: malformed parts are
 * skipped, never thrown on): the note text of its DocumentReferences and the three vital signs the
 * ESI danger zone uses.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const LOINC_SYSTEM = 'http://loinc.org';
/** Largest note the model reads (characters); the rest is ignored. */
export const MAX_NOTE_CHARS = 100_000;

function attachmentText(attachment: Record<string, unknown>): string | undefined {
  const type = (str(attachment.contentType) ?? 'text/plain').toLowerCase();
  if (!type.startsWith('text/')) return undefined;
  const data = str(attachment.data);
  if (data === undefined) return undefined;
  const text = Buffer.from(data, 'base64').toString('utf8');
  return type.startsWith('text/html') ? text.replace(/<[^>]*>/g, ' ') : text;
}

/**
 * The text of every DocumentReference of the bundle (status other than `entered-in-error`), each
 * text/* attachment decoded from base64 (HTML tags stripped), joined by line breaks; undefined when
 * there is none.
 */
export function noteTextOf(bundle: unknown): string | undefined {
  const parts: string[] = [];
  for (const r of resourcesOf(bundle)) {
    if (r.resourceType !== 'DocumentReference' || r.status === 'entered-in-error') continue;
    for (const content of list(r.content)) {
      if (!isRecord(content) || !isRecord(content.attachment)) continue;
      const text = attachmentText(content.attachment);
      if (text !== undefined && text.trim() !== '') parts.push(text);
    }
  }
  if (parts.length === 0) return undefined;
  const text = parts.join('\n');
  return text.length > MAX_NOTE_CHARS ? text.slice(0, MAX_NOTE_CHARS) : text;
}

export interface DangerVitals {
  /** /min */
  heartRate?: number;
  /** /min */
  respiratoryRate?: number;
  /** % */
  spo2?: number;
}

type Vital = keyof DangerVitals;

/** LOINC codes of the vitals, and how a value in each unit becomes the model's unit. */
const VITAL_CODES: Readonly<Record<string, Vital>> = {
  '8867-4': 'heartRate',
  '9279-1': 'respiratoryRate',
  '59408-5': 'spo2',
  '2708-6': 'spo2',
};

function toModelUnit(vital: Vital, value: number, unit: string | undefined): number | undefined {
  if (vital === 'spo2') {
    if (unit === '1') return value * 100;
    return unit === undefined || unit === '%' ? value : undefined;
  }
  return unit === undefined || unit === '/min' || unit === '{beats}/min' || unit === '{breaths}/min' ? value : undefined;
}

const VOID = new Set(['entered-in-error', 'cancelled']);

/** HR, RR and SpO2 from the bundle's Observations (the latest usable one of each; bundle order breaks ties). */
export function vitalsOfBundle(bundle: unknown): DangerVitals {
  const out: DangerVitals = {};
  const when: Partial<Record<Vital, number>> = {};
  for (const r of resourcesOf(bundle)) {
    if (r.resourceType !== 'Observation' || VOID.has(str(r.status) ?? '')) continue;
    const codings = isRecord(r.code) ? list(r.code.coding) : [];
    let vital: Vital | undefined;
    for (const c of codings) {
      if (!isRecord(c) || c.system !== LOINC_SYSTEM) continue;
      const code = str(c.code);
      if (code !== undefined && Object.hasOwn(VITAL_CODES, code)) {
        vital = VITAL_CODES[code];
        break;
      }
    }
    if (!vital) continue;
    const q = r.valueQuantity;
    if (!isRecord(q) || typeof q.value !== 'number' || !Number.isFinite(q.value)) continue;
    const value = toModelUnit(vital, q.value, str(q.code) ?? str(q.unit));
    if (value === undefined) continue;
    const t = Date.parse(str(r.effectiveDateTime) ?? str(r.issued) ?? '');
    const at = Number.isNaN(t) ? -Infinity : t;
    const seen = when[vital];
    if (seen !== undefined && at < seen) continue;
    when[vital] = at;
    out[vital] = value;
  }
  return out;
}

/** The vitals a note states ("HR 112", "RR 24", "SpO2 89%"), for those the bundle's Observations lack. */
export function vitalsOfText(text: string): DangerVitals {
  const out: DangerVitals = {};
  const hr = /(?<![\p{L}\p{N}])(?:HR|heart rate|pulse)\s*:?\s*(\d{2,3})(?!\d)/iu.exec(text);
  const rr = /(?<![\p{L}\p{N}])(?:RR|resp(?:iratory)? rate)\s*:?\s*(\d{1,2})(?!\d)/iu.exec(text);
  const spo2 = /(?<![\p{L}\p{N}])(?:SpO2|O2 sat|sat(?:uration)?)\s*:?\s*(\d{2,3})\s*%/iu.exec(text);
  if (hr) out.heartRate = Number(hr[1]);
  if (rr) out.respiratoryRate = Number(rr[1]);
  if (spo2) out.spo2 = Number(spo2[1]);
  return out;
}
