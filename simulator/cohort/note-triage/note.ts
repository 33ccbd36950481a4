import { CONDITION_CODES, HISTORY } from './codes.ts';
import type { FindingSection } from './findings.ts';
import type { NoteTriagePatient } from './model.ts';

/**
 * The triage note text. Everything it states comes from the patient record: the complaint, each
 * stated finding as one sentence made of its catalog phrase, the history exactly as the Condition
 * resources, the vitals exactly as the Observations (temperature in the charted unit), and an
 * assessment naming the anticipated resources. It never names an ESI level, a class, or an
 * interpretation of the findings, so the class has to be derived from what it says.
 *
 * The resource sentence is always "… anticipated resources: <list>." and the vitals always
 * "HR n, RR n, SBP n, Temp n.n C|F, SpO2 n% on room air." (read-note.ts reads both back).
 */

export const RESOURCES_LABEL = 'anticipated resources:';
export const NO_RESOURCES = 'none (exam and prescription only)';

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** "an 18 y/o", "an 85 y/o", "a 34 y/o" (adult ages read aloud). */
const article = (age: number): string => (age === 18 || age === 11 || (age >= 80 && age <= 89) ? 'an' : 'a');

function sentences(p: NoteTriagePatient, section: FindingSection): string[] {
  const out: string[] = [];
  for (const s of p.stated) if (s.section === section) out.push(`${capitalise(s.phrase)}.`);
  return out;
}

function historyItems(p: NoteTriagePatient): string[] {
  const items: string[] = [];
  for (const c of HISTORY) if (p.conditions[c]) items.push(CONDITION_CODES[c].noteText);
  return items;
}

function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function historySentence(p: NoteTriagePatient): string {
  const items = historyItems(p);
  return items.length === 0 ? 'No significant past medical history.' : `History of ${andList(items)}.`;
}

/** "HR 88, RR 16, SBP 132, Temp 37.1 C, SpO2 98% on room air." */
export function vitalsSentence(p: NoteTriagePatient): string {
  const v = p.vitals;
  const unit = p.temperatureUnit === '[degF]' ? 'F' : 'C';
  return `HR ${v.heartRate}, RR ${v.respiratoryRate}, SBP ${v.systolicBp}, Temp ${p.temperatureValue.toFixed(1)} ${unit}, SpO2 ${v.spo2}% on room air.`;
}

function resourcesClause(p: NoteTriagePatient, prose: boolean): string {
  const items = p.family.resources.map((r) => r.text);
  if (items.length === 0) return `${RESOURCES_LABEL} ${NO_RESOURCES}.`;
  return `${RESOURCES_LABEL} ${prose ? andList(items) : items.join(', ')}.`;
}

/** The triage note of a patient, in one of three templates (prose, abbreviated, sectioned). */
export function triageNote(p: NoteTriagePatient): string {
  const d = p.demographics;
  const female = d.sex === 'female';
  const hpi = sentences(p, 'history');
  const exam = sentences(p, 'exam');
  const pain = p.painScore === undefined ? [] : [`Pain ${p.painScore}/10.`];
  const parts: string[] = [];
  if (p.style === 0) {
    parts.push(`${d.ageYears}-year-old ${female ? 'woman' : 'man'} presenting with ${p.complaint} for ${p.duration}.`);
    parts.push(...hpi, ...pain, historySentence(p), `Triage vitals: ${vitalsSentence(p)}`, ...exam);
    parts.push(`Assessment: ${resourcesClause(p, true)}`);
  } else if (p.style === 1) {
    parts.push(`Pt is ${article(d.ageYears)} ${d.ageYears} y/o ${female ? 'F' : 'M'} c/o ${p.complaint} x ${p.duration}.`);
    const items = historyItems(p);
    parts.push(...hpi, ...pain, `PMH: ${items.length === 0 ? 'none' : items.join(', ')}.`, `VS: ${vitalsSentence(p)}`, ...exam);
    parts.push(`A/P: ${resourcesClause(p, false)}`);
  } else {
    parts.push(`Chief complaint: ${p.complaint}, ${p.duration}.`, `${d.ageYears} yo ${female ? 'female' : 'male'}.`);
    if (hpi.length > 0 || pain.length > 0) parts.push('HPI:', ...hpi, ...pain);
    parts.push(historySentence(p), `Vitals at triage: ${vitalsSentence(p)}`);
    if (exam.length > 0) parts.push('Exam:', ...exam);
    parts.push(`Assessment: ${resourcesClause(p, false)}`);
  }
  return parts.join(' ');
}
