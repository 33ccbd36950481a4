import { CONDITION_CODES } from './codes.ts';
import { choose } from './complaint.ts';
import { COMORBIDITIES, type SepsisPatient } from './model.ts';

/**
 * Triage note text. Everything it states is read from the patient's numbers: vitals exactly as in
 * the Observations, history exactly the comorbidity Conditions, descriptors derived from the vitals.
 * The chief complaint reflects the latent infection site (or a non-infectious complaint). The note
 * is written at triage, before labs, so it never mentions a lab value. When the GCS was not
 * documented the note states neither a GCS nor a mentation: it says nothing the structured data
 * do not show.
 */

const INFECTION_DURATIONS: readonly string[] = ['1 day', '2 days', '3 days', '4 days', '1 week'];
const OTHER_DURATIONS: readonly string[] = ['a few hours', '6 hours', '1 day', '2 days'];

/** Mentation from the documented GCS; nothing when the GCS was not documented. */
function mentation(gcs: number | null): string {
  if (gcs === null) return '';
  if (gcs === 15) return 'Alert and oriented.';
  if (gcs >= 13) return 'Confused.';
  if (gcs >= 9) return 'Drowsy, responds to voice.';
  return 'Responds to pain only.';
}

function history(p: SepsisPatient): string {
  const items: string[] = [];
  for (const c of COMORBIDITIES) if (p.comorbidities[c]) items.push(CONDITION_CODES[c].noteText);
  if (items.length === 0) return 'No significant past medical history.';
  if (items.length === 1) return `History of ${items[0]}.`;
  return `History of ${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}.`;
}

/** Descriptors derived from the vitals (danger-zone and qSOFA-style thresholds). */
function status(p: SepsisPatient): string {
  const v = p.vitals;
  const flags: string[] = [];
  if (v.temperature >= 38) flags.push('febrile');
  else if (v.temperature < 36) flags.push('hypothermic');
  if (v.heartRate > 100) flags.push('tachycardic');
  if (v.respiratoryRate >= 22) flags.push('tachypneic');
  if (v.systolicBp <= 90) flags.push('hypotensive');
  if (v.spo2 < 92) flags.push('hypoxic');
  if (flags.length === 0) return 'No abnormal vital signs flagged at triage.';
  return `Patient is ${flags.length === 1 ? flags[0] : `${flags.slice(0, -1).join(', ')} and ${flags[flags.length - 1]}`}.`;
}

/** The triage note of a patient. */
export function triageNote(p: SepsisPatient): string {
  const [, uDuration, uStyle] = p.noteDraws;
  const infected = p.latent.infected;
  const complaint = p.complaint;
  const duration = choose(infected ? INFECTION_DURATIONS : OTHER_DURATIONS, uDuration);
  const age = p.demographics.ageYears;
  const female = p.demographics.sex === 'female';
  const v = p.vitals;
  const gcs = v.gcs === null ? '' : `, GCS ${v.gcs}`;
  const vitals = `HR ${v.heartRate}, RR ${v.respiratoryRate}, SBP ${v.systolicBp}, Temp ${v.temperature.toFixed(1)} C, SpO2 ${v.spo2}% on room air${gcs}.`;
  const mental = mentation(v.gcs);
  const style = Math.floor(uStyle * 3);
  if (style === 0) {
    return `${age}-year-old ${female ? 'woman' : 'man'} presenting with ${complaint} for ${duration}. ${history(p)} Triage vitals: ${vitals} ${mental ? `${mental} ` : ''}${status(p)}`;
  }
  if (style === 1) {
    return `Pt is a ${age} y/o ${female ? 'F' : 'M'} c/o ${complaint} x ${duration}. ${history(p)} VS: ${vitals} ${mental ? `${mental} ` : ''}${status(p)}`;
  }
  return `Chief complaint: ${complaint}, ${duration}. ${age} yo ${female ? 'female' : 'male'}. ${history(p)} Vitals at triage: ${vitals} ${status(p)}${mental ? ` ${mental}` : ''}`;
}
