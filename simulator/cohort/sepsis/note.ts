import { CONDITION_CODES } from './codes.ts';
import { COMORBIDITIES, type InfectionSource, type SepsisPatient } from './model.ts';

/**
 * Triage note text. Everything it states is read from the patient's numbers: vitals exactly as in
 * the Observations, history exactly the comorbidity Conditions, descriptors derived from the vitals.
 * The chief complaint reflects the latent infection site (or a non-infectious complaint). The note
 * is written at triage, before labs, so it never mentions a lab value.
 */

const INFECTION_COMPLAINTS: Readonly<Record<InfectionSource, readonly string[]>> = {
  pneumonia: ['cough and shortness of breath', 'productive cough and chills', 'cough and fatigue'],
  urinary: ['painful urination and flank pain', 'urinary frequency and chills', 'burning on urination'],
  skin: ['redness and swelling of the leg', 'a painful swollen area on the arm', 'a wound that is red and draining'],
  abdominal: ['abdominal pain and vomiting', 'right upper quadrant pain', 'abdominal pain and diarrhea'],
  unspecified: ['malaise and chills', 'generalized weakness', 'feeling unwell'],
};

const OTHER_COMPLAINTS: readonly string[] = [
  'chest pain',
  'shortness of breath',
  'abdominal pain',
  'a fall at home',
  'dizziness',
  'generalized weakness',
  'headache',
  'back pain',
  'palpitations',
  'nausea and vomiting',
];

const INFECTION_DURATIONS: readonly string[] = ['1 day', '2 days', '3 days', '4 days', '1 week'];
const OTHER_DURATIONS: readonly string[] = ['a few hours', '6 hours', '1 day', '2 days'];

function choose<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
}

function mentation(gcs: number): string {
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
  const [uComplaint, uDuration, uStyle] = p.noteDraws;
  const infected = p.latent.infected;
  const complaint = choose(infected ? INFECTION_COMPLAINTS[p.latent.source] : OTHER_COMPLAINTS, uComplaint);
  const duration = choose(infected ? INFECTION_DURATIONS : OTHER_DURATIONS, uDuration);
  const age = p.demographics.ageYears;
  const female = p.demographics.sex === 'female';
  const v = p.vitals;
  const vitals = `HR ${v.heartRate}, RR ${v.respiratoryRate}, SBP ${v.systolicBp}, Temp ${v.temperature.toFixed(1)} C, SpO2 ${v.spo2}% on room air, GCS ${v.gcs}.`;
  const style = Math.floor(uStyle * 3);
  if (style === 0) {
    return `${age}-year-old ${female ? 'woman' : 'man'} presenting with ${complaint} for ${duration}. ${history(p)} Triage vitals: ${vitals} ${mentation(v.gcs)} ${status(p)}`;
  }
  if (style === 1) {
    return `Pt is a ${age} y/o ${female ? 'F' : 'M'} c/o ${complaint} x ${duration}. ${history(p)} VS: ${vitals} ${mentation(v.gcs)} ${status(p)}`;
  }
  return `Chief complaint: ${complaint}, ${duration}. ${age} yo ${female ? 'female' : 'male'}. ${history(p)} Vitals at triage: ${vitals} ${status(p)} ${mentation(v.gcs)}`;
}
