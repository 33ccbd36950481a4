/**
 * The findings a triage note can assert, each with its ESI weight and the exact phrases that state
 * it present or absent. The catalog is the contract between the note writer (note.ts), the note
 * reader (read-note.ts) and the truth (triage.ts): a finding is in a note exactly when one of its
 * phrases is, so a perturbation can flip a finding by replacing its phrase with one of the opposite
 * state and recompute the class from the text alone.
 *
 * Levels (ESI, clinical-codes.md §8):
 * - 1: the patient needs an immediate life-saving intervention (ESI 1);
 * - 2: a high-risk situation or new confusion/lethargy/disorientation (ESI 2);
 * - 0: documented for completeness (a pertinent positive or negative); no effect on the level.
 *
 * Phrase rules (checked by the unit tests): phrases are lower case; no phrase of one finding
 * occurs at a word boundary inside another phrase unless the longer one starts earlier (the reader
 * takes the leftmost, then longest match, so "no facial droop" wins over "facial droop").
 */

export type FindingLevel = 0 | 1 | 2;
/** Where the note writer puts the finding: the history (HPI) part or the exam after the vitals. */
export type FindingSection = 'history' | 'exam';

export interface FindingDef {
  readonly level: FindingLevel;
  readonly section: FindingSection;
  /** Phrases asserting the finding. */
  readonly present: readonly string[];
  /** Phrases denying it (negations and pertinent negatives). */
  readonly absent: readonly string[];
}

const f = (level: FindingLevel, section: FindingSection, present: string[], absent: string[]): FindingDef => ({
  level,
  section,
  present,
  absent,
});

export const FINDINGS = {
  // Level 1: immediate life-saving intervention.
  unresponsive: f(1, 'exam', ['responds only to painful stimuli', 'does not respond to voice'], ['responds to voice']),
  'slow-breathing': f(1, 'exam', ['slow, shallow breathing'], ['breathing regular']),
  'mottled-skin': f(1, 'exam', ['mottled skin with delayed capillary refill', 'mottled extremities, capillary refill over 3 seconds'], [
    'skin warm and well perfused',
  ]),
  stridor: f(1, 'exam', ['audible stridor'], ['no stridor']),
  'labored-breathing': f(1, 'exam', ['labored breathing with accessory muscle use'], ['breathing unlabored']),

  // Level 2: high risk, or new confusion.
  confusion: f(2, 'exam', ['new confusion per family', 'newly disoriented'], ['alert and oriented', 'no confusion']),
  'chest-pain': f(2, 'history', ['chest pain', 'chest pressure', 'chest tightness', 'pleuritic chest pain'], [
    'denies chest pain',
    'no chest pain',
  ]),
  radiation: f(2, 'history', ['radiating to the left arm', 'radiating to the jaw'], ['no radiation']),
  diaphoresis: f(2, 'exam', ['diaphoretic'], ['not diaphoretic']),
  'shortness-of-breath': f(2, 'history', ['short of breath', 'shortness of breath'], [
    'denies shortness of breath',
    'no shortness of breath',
  ]),
  'facial-droop': f(2, 'exam', ['left-sided facial droop', 'right-sided facial droop'], ['no facial droop']),
  'arm-weakness': f(2, 'exam', ['weakness of the left arm', 'weakness of the right arm'], ['no arm weakness']),
  'slurred-speech': f(2, 'exam', ['slurred speech'], ['speech clear', 'no slurred speech']),
  'lip-swelling': f(2, 'exam', ['swelling of the lips and tongue'], ['no lip or tongue swelling']),
  'loss-of-consciousness': f(2, 'history', ['brief loss of consciousness'], ['no loss of consciousness']),
  thunderclap: f(2, 'history', ['sudden onset, worst headache of life'], ['gradual onset, similar to prior headaches']),
  'neck-stiffness': f(2, 'exam', ['neck stiffness'], ['no neck stiffness']),
  drooling: f(2, 'exam', ['drooling, unable to swallow saliva'], ['no drooling', 'tolerating secretions']),
  'muffled-voice': f(2, 'exam', ['muffled voice'], ['voice normal']),
  'uncontrolled-bleeding': f(2, 'exam', ['bleeding not controlled with direct pressure'], ['bleeding controlled with direct pressure']),

  // Level 0: documented, no effect on the level.
  nausea: f(0, 'history', ['nausea'], ['denies nausea', 'no nausea']),
  'subjective-fever': f(0, 'history', ['subjective fevers at home'], ['denies fevers']),
  chills: f(0, 'history', ['chills'], ['no chills']),
  'productive-cough': f(0, 'history', ['productive cough'], ['nonproductive cough']),
  cough: f(0, 'history', ['mild cough'], ['no cough']),
  dysuria: f(0, 'history', ['burning with urination'], ['no burning with urination']),
  hematuria: f(0, 'history', ['blood in the urine'], ['no blood in the urine']),
  'vaginal-discharge': f(0, 'history', ['vaginal discharge'], ['no vaginal discharge']),
  'calf-tenderness': f(0, 'exam', ['calf tenderness'], ['no calf tenderness']),
  lightheaded: f(0, 'history', ['lightheaded when standing'], ['no lightheadedness']),
  'bloody-stool': f(0, 'history', ['blood in the stool'], ['no blood in the stool']),
  'head-strike': f(0, 'history', ['struck head on the floor'], ['did not hit head']),
  'unable-to-bear-weight': f(0, 'exam', ['unable to bear weight'], ['able to bear weight']),
  photophobia: f(0, 'history', ['photophobia'], ['no photophobia']),
  headache: f(0, 'history', ['mild headache'], ['denies headache']),
  'ankle-swelling': f(0, 'exam', ['swelling over the lateral ankle'], ['minimal swelling']),
  'distal-numbness': f(0, 'exam', ['numbness distal to the wound'], ['sensation intact distally']),
  blisters: f(0, 'exam', ['linear blisters'], ['no blisters']),
  hives: f(0, 'exam', ['diffuse hives'], ['no hives']),
  'pinpoint-pupils': f(0, 'exam', ['pinpoint pupils'], ['pupils normal size']),
} as const satisfies Record<string, FindingDef>;

export type FindingId = keyof typeof FINDINGS;
export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

/** What a note says about a finding; a finding the note does not mention has no entry. */
export type FindingState = 'present' | 'absent';

/** Resources the ESI counts (AHRQ ESI; clinical-codes.md §8). Each kind counts once however many tests it covers. */
export const RESOURCES = {
  /** All laboratory tests together (blood, urine, rapid strep) count as one resource. */
  labs: ['labs', 'urinalysis and urine culture', 'rapid strep test'],
  xray: ['chest x-ray', 'ankle x-ray', 'hip x-ray'],
  /** Cross-sectional imaging or ultrasound. */
  imaging: ['CT head', 'CT abdomen/pelvis', 'venous ultrasound of the leg'],
  'iv-fluids': ['IV fluids'],
  /** IV, IM or nebulised medications (PO medications and prescriptions are not resources). */
  'iv-meds': ['IV medications', 'IV antibiotics', 'IV naloxone', 'IM epinephrine'],
  /** A simple procedure (laceration repair) counts as one resource. */
  procedure: ['laceration repair with sutures'],
} as const satisfies Record<string, readonly string[]>;

export type ResourceId = keyof typeof RESOURCES;
export const RESOURCE_IDS = Object.keys(RESOURCES) as ResourceId[];

/**
 * The structured content of a triage note that decides its class: which findings it asserts or
 * denies, and which ED resources its assessment anticipates. `triageClassOf(findings, vitals)`
 * (triage.ts) maps it to the truth; `readTriageNote` (read-note.ts) recovers it from the text.
 */
export interface TriageFindings {
  readonly findings: Readonly<Partial<Record<FindingId, FindingState>>>;
  /** Distinct resource kinds the note anticipates, in the order it names them. */
  readonly resources: readonly ResourceId[];
}
