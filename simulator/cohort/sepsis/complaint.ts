import type { InfectionSource } from './model.ts';

/**
 * The chief complaint of the triage note, chosen from the latent infection source (or a
 * non-infectious complaint) by the patient's complaint uniform. It lives apart from note.ts because
 * the model reads it too: an abdominal complaint makes liver tests likelier (ordering.ts), and the
 * note is observed data, so that keeps the missingness at random (MAR).
 */

export const INFECTION_COMPLAINTS: Readonly<Record<InfectionSource, readonly string[]>> = {
  pneumonia: ['cough and shortness of breath', 'productive cough and chills', 'cough and fatigue'],
  urinary: ['painful urination and flank pain', 'urinary frequency and chills', 'burning on urination'],
  skin: ['redness and swelling of the leg', 'a painful swollen area on the arm', 'a wound that is red and draining'],
  abdominal: ['abdominal pain and vomiting', 'right upper quadrant pain', 'abdominal pain and diarrhea'],
  unspecified: ['malaise and chills', 'generalized weakness', 'feeling unwell'],
};

export const OTHER_COMPLAINTS: readonly string[] = [
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

/** Complaints for which an ED clinician would add liver tests (abdominal or hepatobiliary). */
const ABDOMINAL = new Set([...INFECTION_COMPLAINTS.abdominal, 'abdominal pain', 'nausea and vomiting']);

export function choose<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
}

/** The chief complaint for a complaint uniform `u`. */
export function chiefComplaint(infected: boolean, source: InfectionSource, u: number): string {
  return choose(infected ? INFECTION_COMPLAINTS[source] : OTHER_COMPLAINTS, u);
}

export function isAbdominalComplaint(complaint: string): boolean {
  return ABDOMINAL.has(complaint);
}
