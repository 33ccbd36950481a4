/**
 * The triage model's lexicon: the danger signs of the ESI decision points A and B (clinical-codes.md
 * §8, AHRQ ESI handbook) and the ED resources of decision point C, as the terms a rule-based note
 * reader looks for. The model was built from the same triage protocol as the note-triage cohort
 * (docs/cohorts.md, "Truth"), so it knows the same signs; the terms are its own (shorter, with common
 * synonyms and abbreviations), not the cohort's phrase list, and it never calls the cohort's reader.
 *
 * A term is a regular expression source, matched case-insensitively at word boundaries. Terms must
 * not match the protocol's "normal" statements ("alert and oriented", "speech clear", "breathing
 * unlabored", "bleeding controlled with direct pressure", …): those are not negations of a term but
 * other words, and the unit tests check each of them.
 */

export type SignLevel = 1 | 2;

export interface DangerSign {
  /** Short name used in the model's rationale text. */
  readonly name: string;
  /** ESI decision point: 1 = immediate life-saving intervention, 2 = high risk / new confusion. */
  readonly level: SignLevel;
  /** Regular expression sources (no flags; matched with `giu` and word boundaries). */
  readonly terms: readonly string[];
}

export const DANGER_SIGNS: readonly DangerSign[] = [
  // ---- ESI 1: needs an immediate life-saving intervention ----------------------------------------
  {
    name: 'unresponsive',
    level: 1,
    terms: ['responds? only to pain(?:ful stimuli)?', 'does not respond to voice', 'not responding to voice', 'unresponsive', 'obtunded'],
  },
  { name: 'slow shallow breathing', level: 1, terms: ['slow,? shallow (?:breathing|respirations)', 'agonal (?:breathing|respirations)'] },
  { name: 'mottled skin', level: 1, terms: ['mottl(?:ed|ing)'] },
  { name: 'stridor', level: 1, terms: ['stridor(?:ous)?'] },
  {
    name: 'labored breathing',
    level: 1,
    terms: ['labou?red breathing', 'accessory muscle use', '(?:using|use of) accessory muscles', 'respiratory distress'],
  },
  // ---- ESI 2: high risk, or new confusion / disorientation ---------------------------------------
  {
    name: 'confusion',
    level: 2,
    terms: ['new(?:ly)? confused', 'confusion', 'confused', 'disoriented', 'altered mental status', 'AMS'],
  },
  { name: 'chest pain', level: 2, terms: ['chest (?:pain|pressure|tightness|discomfort)'] },
  { name: 'pain radiating to arm or jaw', level: 2, terms: ['radiat(?:ing|es) to the (?:left |right )?(?:arm|jaw|neck)'] },
  { name: 'diaphoresis', level: 2, terms: ['diaphore(?:tic|sis)'] },
  { name: 'shortness of breath', level: 2, terms: ['short(?:ness)? of breath', 'SOB', 'dyspn(?:o?ea|o?eic)'] },
  { name: 'facial droop', level: 2, terms: ['facial droop', 'face drooping'] },
  {
    name: 'arm weakness',
    level: 2,
    terms: ['(?:arm|unilateral|one-sided) weakness', 'weakness (?:of|in) the (?:left|right) (?:arm|leg|side)', 'hemiparesis'],
  },
  { name: 'slurred speech', level: 2, terms: ['slurred speech', 'slurring (?:of )?(?:speech|words)', 'dysarthri(?:a|c)', 'aphasi(?:a|c)'] },
  {
    name: 'lip or tongue swelling',
    level: 2,
    terms: ['(?:lips?|tongue)(?: (?:and|or) (?:lips?|tongue))? swelling', 'swelling of the (?:lips|tongue|face)', 'angioedema'],
  },
  { name: 'loss of consciousness', level: 2, terms: ['loss of consciousness', 'LOC', 'syncop(?:e|al)', 'passed out', 'fainted'] },
  { name: 'worst headache of life', level: 2, terms: ['worst headache', 'thunderclap'] },
  { name: 'neck stiffness', level: 2, terms: ['neck stiffness', 'stiff neck', 'meningismus'] },
  { name: 'drooling', level: 2, terms: ['drooling', 'unable to swallow (?:saliva|secretions)'] },
  { name: 'muffled voice', level: 2, terms: ['muffled voice', 'hot potato voice'] },
  {
    name: 'uncontrolled bleeding',
    level: 2,
    terms: ['bleeding not controlled', 'uncontrolled bleeding', 'not controlled with (?:direct )?pressure'],
  },
];

/** Resource kinds the ESI counts (each kind once; all labs together are one). */
export type ResourceKind = 'labs' | 'x-ray' | 'imaging' | 'iv-fluids' | 'iv-im-medication' | 'procedure';

export const RESOURCE_TERMS: Readonly<Record<ResourceKind, readonly string[]>> = {
  labs: [
    'labs?',
    'laboratory(?: tests)?',
    'blood (?:work|tests?|cultures?)',
    'CBC',
    'BMP',
    'CMP',
    'troponin',
    'urinalysis',
    'urine culture',
    'UA',
    'rapid strep(?: test)?',
    'strep test',
    'pregnancy test',
  ],
  'x-ray': ['x-?rays?', 'radiographs?', 'CXR'],
  imaging: ['CT(?: scan)?', 'CTA', 'MRI', 'ultrasound', 'sonogram'],
  'iv-fluids': ['IV fluids?', 'intravenous fluids?', 'fluid bolus'],
  'iv-im-medication': ['IV (?!fluids?\\b)[a-z]+', 'IM [a-z]+', 'intravenous (?!fluids?\\b)[a-z]+', 'nebuli[sz]ed [a-z]+'],
  procedure: ['laceration repair', 'sutures?', 'suturing', 'incision and drainage', 'I&D'],
};

/** The sentence of the assessment that lists the anticipated resources. */
export const RESOURCE_CLAUSE = /(?:anticipated|expected) resources?\s*:?\s*([^]*?)(?:\.(?=\s|$)|$)/iu;
/** Said when the note expects no resource. */
export const NO_RESOURCES = /^\s*none\b/iu;

/** ESI danger-zone vital signs for adults (decision point D): HR > 100, RR > 20, SpO2 < 92 %. */
export const DANGER_ZONE = { heartRateAbove: 100, respiratoryRateAbove: 20, spo2Below: 92 } as const;

/** Compiles term sources into one regex with word boundaries (letters and digits count as word characters). */
export function termRegex(terms: readonly string[]): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}
