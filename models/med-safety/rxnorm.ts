/**
 * The med-safety service's RxNorm vocabulary: the concepts its knowledge base (the conflict table)
 * names, with their term type, and how a medication's coding becomes the keys it is matched on.
 * RXCUIs and term types are those of reference/clinical-codes.md §5 (IN = ingredient, MIN = multiple
 * ingredients); the component ingredients of sulfamethoxazole / trimethoprim (10180, 10829) are
 * "not confirmed here" there.
 *
 * Two readers, one per variant (models/README.md, flaw "term type"):
 * - `ingredientKeys` (flawed): normalises every code to its ingredients (IN), the usual first step of
 *   a drug-interaction engine. A MIN becomes its component INs — but the knowledge base keys the
 *   combination (SMX/TMP 10831) by its MIN code, so after normalisation nothing matches; and a code
 *   the vocabulary does not list (a clinical drug, SCD/SBD) is dropped as "not a drug I know".
 * - `conceptKeys` (flaw-free): keeps the code itself and its ingredients (IN and MIN levels), and
 *   for a code it does not list (or a medication without an RxNorm code) reads the ingredient names
 *   in the coding's display and the concept's text ("sulfamethoxazole 800 MG / trimethoprim 160 MG
 *   Oral Tablet" → 10180, 10829 and the MIN 10831).
 */

export const RXNORM_SYSTEM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export type TermType = 'IN' | 'MIN';

export interface RxConcept {
  readonly rxcui: string;
  readonly tty: TermType;
  readonly name: string;
  /** MIN only: the component ingredients (IN codes). */
  readonly ingredients?: readonly string[];
  /** Other names an ingredient is written under in a drug's display text. */
  readonly synonyms?: readonly string[];
}

const IN = (rxcui: string, name: string, synonyms?: string[]): RxConcept => ({ rxcui, tty: 'IN', name, ...(synonyms ? { synonyms } : {}) });

const CONCEPTS: readonly RxConcept[] = [
  // Penicillins and cephalosporins
  IN('723', 'amoxicillin'),
  IN('733', 'ampicillin'),
  IN('7984', 'penicillin V', ['penicillin v potassium', 'phenoxymethylpenicillin']),
  IN('2231', 'cephalexin'),
  IN('2176', 'cefaclor'),
  IN('2193', 'ceftriaxone'),
  IN('2194', 'cefuroxime'),
  IN('25037', 'cefdinir'),
  IN('25033', 'cefixime'),
  IN('20489', 'cefpodoxime'),
  IN('2191', 'ceftazidime'),
  IN('2180', 'cefazolin'),
  IN('20481', 'cefepime'),
  IN('2189', 'cefoxitin'),
  // Other anti-infectives
  IN('10180', 'sulfamethoxazole'),
  IN('10829', 'trimethoprim'),
  { rxcui: '10831', tty: 'MIN', name: 'sulfamethoxazole / trimethoprim', ingredients: ['10180', '10829'] },
  IN('21212', 'clarithromycin'),
  IN('190376', 'linezolid'),
  // Analgesics and antiplatelets
  IN('5640', 'ibuprofen'),
  IN('7258', 'naproxen'),
  IN('1191', 'aspirin', ['acetylsalicylic acid']),
  IN('161', 'acetaminophen', ['paracetamol']),
  // Cardiovascular and renal
  IN('11289', 'warfarin'),
  IN('29046', 'lisinopril'),
  IN('3827', 'enalapril'),
  IN('35296', 'ramipril'),
  IN('1998', 'captopril'),
  IN('18867', 'benazepril'),
  IN('35208', 'quinapril'),
  IN('9997', 'spironolactone'),
  IN('8591', 'potassium chloride'),
  IN('5487', 'hydrochlorothiazide'),
  IN('4603', 'furosemide'),
  IN('20352', 'carvedilol'),
  IN('6918', 'metoprolol'),
  IN('4917', 'nitroglycerin', ['glyceryl trinitrate']),
  IN('6058', 'isosorbide dinitrate'),
  IN('36567', 'simvastatin'),
  IN('83367', 'atorvastatin'),
  IN('136411', 'sildenafil'),
  // Psychiatric, rheumatologic, endocrine
  IN('36437', 'sertraline'),
  IN('8123', 'phenelzine'),
  IN('6851', 'methotrexate'),
  IN('6809', 'metformin'),
  IN('274783', 'insulin glargine'),
];

export const VOCABULARY: ReadonlyMap<string, RxConcept> = new Map(CONCEPTS.map((c) => [c.rxcui, c]));

/** Display name of a code (the code itself when the vocabulary does not list it). */
export function nameOf(rxcui: string): string {
  return VOCABULARY.get(rxcui)?.name ?? `RxNorm ${rxcui}`;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Ingredient name (or synonym) → IN code, matched as whole words in free text. */
const NAME_PATTERNS = CONCEPTS.filter((c) => c.tty === 'IN').flatMap((c) =>
  [c.name, ...(c.synonyms ?? [])].map((name) => ({
    rxcui: c.rxcui,
    regex: new RegExp(`(?<![\\p{L}\\p{N}])${escape(name).replace(/ /g, '[\\s-]+')}(?![\\p{L}\\p{N}])`, 'iu'),
  })),
);
const MINS = CONCEPTS.filter((c) => c.tty === 'MIN');

/** IN codes whose names a text mentions, plus every MIN all of whose ingredients it mentions. */
export function keysOfText(text: string): string[] {
  const found = new Set<string>();
  for (const { rxcui, regex } of NAME_PATTERNS) if (regex.test(text)) found.add(rxcui);
  for (const min of MINS) if (min.ingredients!.every((i) => found.has(i))) found.add(min.rxcui);
  return [...found];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface CodingRead {
  readonly system: string | undefined;
  readonly code: string | undefined;
  readonly display: string | undefined;
}

/** The codings of a CodeableConcept-shaped value (anything malformed is skipped). */
function codingsOf(concept: unknown): CodingRead[] {
  if (!isRecord(concept) || !Array.isArray(concept.coding)) return [];
  const out: CodingRead[] = [];
  for (const c of concept.coding) {
    if (isRecord(c)) out.push({ system: str(c.system), code: str(c.code)?.trim() || undefined, display: str(c.display) });
  }
  return out;
}

/** Flawed reader: every code normalised to its ingredients (IN); MIN → component INs; unlisted codes dropped. */
export function ingredientKeys(concept: unknown): string[] {
  const out = new Set<string>();
  for (const { system, code } of codingsOf(concept)) {
    if (system !== RXNORM_SYSTEM || code === undefined) continue;
    const c = VOCABULARY.get(code);
    if (c?.tty === 'IN') out.add(code);
    else if (c?.tty === 'MIN') for (const i of c.ingredients!) out.add(i);
  }
  return [...out];
}

/**
 * Flaw-free reader: a listed RxNorm code at every level it names (the MIN and its INs); for any other
 * coding (an unlisted RxNorm code such as an SCD, or another code system) the ingredient names in its
 * display; and the concept's text when no coding gave a key.
 */
export function conceptKeys(concept: unknown): string[] {
  const out = new Set<string>();
  const texts: string[] = [];
  for (const { system, code, display } of codingsOf(concept)) {
    const c = system === RXNORM_SYSTEM && code !== undefined ? VOCABULARY.get(code) : undefined;
    if (c) {
      out.add(c.rxcui);
      for (const i of c.ingredients ?? []) out.add(i);
    } else if (display) {
      texts.push(display);
    }
  }
  for (const t of texts) for (const k of keysOfText(t)) out.add(k);
  if (out.size === 0 && isRecord(concept)) {
    const text = str(concept.text);
    if (text) for (const k of keysOfText(text)) out.add(k);
  }
  return [...out];
}
