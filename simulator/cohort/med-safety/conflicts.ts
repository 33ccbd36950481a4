import { z } from 'zod';
import { Conflict } from '../../case.ts';
import { deepFreeze } from '../demographics.ts';
import { ACE_INHIBITORS, CEPHALOSPORINS, LOINC_EGFR, LOINC_POTASSIUM } from './codes.ts';

/**
 * The conflict table of the med-safety task, as data: which draft orders conflict with which
 * allergies, active medications or lab values, and how severely. It is the single source of the
 * task's truth (the generator), of the reference CDS service and of the safety checks.
 *
 * Rows come from reference/clinical-codes.md §6 (cited as `§6 #n`); rows marked `extension` are
 * added here (class members of a §6 row, or interactions the generator must know about so it never
 * produces them by accident) and are "widely recognized; not confirmed against a primary source".
 * docs/cohorts.md prints the table with these notes.
 *
 * Matching is on RxNorm ingredient codes (and LOINC for labs). Interaction rows are symmetric: the
 * draft may be on either side. `label` is 1 when any conflict is `contraindicated` or `major`;
 * `moderate` and `caution` conflicts are listed in the truth but do not make a case positive.
 */

const Severity = Conflict.shape.severity;
export type Severity = z.infer<typeof Severity>;
export type ConflictKind = Conflict['kind'];
export const CONFLICT_KINDS: readonly ConflictKind[] = ['allergy', 'interaction', 'drug-lab'];

const RxCodes = z.array(z.string().regex(/^\d+$/)).min(1);

const RuleBase = {
  /** Stable id of the row. */
  id: z.string().regex(/^[a-z0-9-]+$/),
  severity: Severity,
  /** Conflict.description of every conflict the row finds. */
  description: z.string().min(1),
  /** Where the row comes from: "§6 #n", or "extension: …". */
  source: z.string().min(1),
};

export const AllergyRule = z.object({
  kind: z.literal('allergy'),
  ...RuleBase,
  /** AllergyIntolerance.code values (RxNorm) the row applies to. */
  allergens: RxCodes,
  /** Draft ingredients that conflict with such an allergy. */
  drugs: RxCodes,
});

export const InteractionRule = z.object({
  kind: z.literal('interaction'),
  ...RuleBase,
  /** One side of the pair (a draft in `a` conflicts with an active drug in `b`, and vice versa). */
  a: RxCodes,
  b: RxCodes,
});

export const DrugLabRule = z.object({
  kind: z.literal('drug-lab'),
  ...RuleBase,
  drugs: RxCodes,
  loinc: z.string().regex(/^\d+-\d$/),
  /** UCUM unit the threshold is expressed in; a value in another unit is not compared. */
  unit: z.string(),
  comparator: z.enum(['<', '>']),
  threshold: z.number(),
});

export const ConflictRule = z.discriminatedUnion('kind', [AllergyRule, InteractionRule, DrugLabRule]);
export type ConflictRule = z.infer<typeof ConflictRule>;
export type AllergyRule = z.infer<typeof AllergyRule>;
export type InteractionRule = z.infer<typeof InteractionRule>;
export type DrugLabRule = z.infer<typeof DrugLabRule>;

// RxNorm codes used below (see codes.ts for names and confirmation status).
const WARFARIN = '11289';
const IBUPROFEN = '5640';
const NAPROXEN = '7258';
const ASPIRIN = '1191';
const SMX_TMP = '10831';
const CLARITHROMYCIN = '21212';
const SPIRONOLACTONE = '9997';
const KCL = '8591';
const FUROSEMIDE = '4603';
const SERTRALINE = '36437';
const PHENELZINE = '8123';
const LINEZOLID = '190376';
const SIMVASTATIN = '36567';
const ATORVASTATIN = '83367';
const METHOTREXATE = '6851';
const SILDENAFIL = '136411';
const NITROGLYCERIN = '4917';
const ISOSORBIDE_DINITRATE = '6058';
const METFORMIN = '6809';
const PENICILLIN_V = '7984';
const AMOXICILLIN = '723';
const AMPICILLIN = '733';
const NSAIDS = [IBUPROFEN, NAPROXEN];
const PENICILLINS = [PENICILLIN_V, AMOXICILLIN, AMPICILLIN];

const RULES: z.input<typeof ConflictRule>[] = [
  // ---- Allergy (drug–allergy) ----------------------------------------------------------------
  {
    kind: 'allergy',
    id: 'penicillin-allergy-penicillin',
    severity: 'contraindicated',
    allergens: [...PENICILLINS],
    drugs: [...PENICILLINS],
    description: 'Penicillin allergy: the ordered drug is a penicillin (same drug class).',
    source: '§6 #16 (penicillin V added as the allergen itself)',
  },
  {
    kind: 'allergy',
    id: 'penicillin-allergy-cephalosporin',
    severity: 'caution',
    allergens: [...PENICILLINS],
    drugs: [...CEPHALOSPORINS],
    description:
      'Penicillin allergy: low cross-reactivity with cephalosporins (higher with a shared R1 side chain, e.g. cephalexin); caution, not a contraindication.',
    source: '§6 #17 (cephalexin, ceftriaxone; extension: the other cephalosporin ingredients of §5)',
  },
  {
    kind: 'allergy',
    id: 'sulfonamide-allergy-smx-tmp',
    severity: 'contraindicated',
    allergens: [SMX_TMP],
    drugs: [SMX_TMP],
    description: 'Sulfonamide antibiotic allergy: the ordered drug is sulfamethoxazole / trimethoprim (same allergen).',
    source: '§6 #18',
  },
  {
    kind: 'allergy',
    id: 'nsaid-allergy-nsaid',
    severity: 'major',
    allergens: [...NSAIDS, ASPIRIN],
    drugs: [...NSAIDS, ASPIRIN],
    description: 'Aspirin/NSAID allergy: COX-1-mediated cross-reactivity with the ordered NSAID.',
    source: '§6 #19 (extension: aspirin as an ordered drug)',
  },
  {
    kind: 'allergy',
    id: 'cephalosporin-allergy-cephalosporin',
    severity: 'major',
    allergens: [...CEPHALOSPORINS],
    drugs: [...CEPHALOSPORINS],
    description: 'Cephalosporin allergy: the ordered drug is a cephalosporin (same drug class).',
    source: 'extension: same-class rule for the cephalosporin allergies Synthea records (SY-ALG)',
  },
  {
    kind: 'allergy',
    id: 'ace-inhibitor-intolerance-ace-inhibitor',
    severity: 'major',
    allergens: [...ACE_INHIBITORS],
    drugs: [...ACE_INHIBITORS],
    description: 'ACE-inhibitor allergy or intolerance recorded: the ordered drug is an ACE inhibitor.',
    source: 'extension: same-class rule for the ACE-inhibitor intolerance Synthea records (SY-ALG)',
  },
  // ---- Interaction (drug–drug), major and contraindicated ------------------------------------
  {
    kind: 'interaction',
    id: 'warfarin-nsaid',
    severity: 'major',
    a: [WARFARIN],
    b: NSAIDS,
    description: 'Warfarin with an NSAID: antiplatelet effect and GI mucosal injury, bleeding risk.',
    source: '§6 #1',
  },
  {
    kind: 'interaction',
    id: 'warfarin-aspirin',
    severity: 'major',
    a: [WARFARIN],
    b: [ASPIRIN],
    description: 'Warfarin with aspirin: additive antithrombotic effect, bleeding risk.',
    source: '§6 #2',
  },
  {
    kind: 'interaction',
    id: 'warfarin-smx-tmp',
    severity: 'major',
    a: [WARFARIN],
    b: [SMX_TMP],
    description: 'Warfarin with sulfamethoxazole / trimethoprim: CYP2C9 inhibition, INR rise and bleeding.',
    source: '§6 #3',
  },
  {
    kind: 'interaction',
    id: 'ace-inhibitor-spironolactone',
    severity: 'major',
    a: [...ACE_INHIBITORS],
    b: [SPIRONOLACTONE],
    description: 'ACE inhibitor with spironolactone (potassium-sparing): hyperkalemia, worse in CKD.',
    source: '§6 #5 (lisinopril; extension: the other ACE inhibitors of §5)',
  },
  {
    kind: 'interaction',
    id: 'ace-inhibitor-potassium-chloride',
    severity: 'major',
    a: [...ACE_INHIBITORS],
    b: [KCL],
    description: 'ACE inhibitor with potassium chloride: reduced aldosterone plus a potassium load, hyperkalemia.',
    source: '§6 #6 (lisinopril; extension: the other ACE inhibitors of §5)',
  },
  {
    kind: 'interaction',
    id: 'spironolactone-potassium-chloride',
    severity: 'major',
    a: [SPIRONOLACTONE],
    b: [KCL],
    description: 'Spironolactone with potassium chloride: hyperkalemia (avoid).',
    source: '§6 #7',
  },
  {
    kind: 'interaction',
    id: 'sertraline-phenelzine',
    severity: 'contraindicated',
    a: [SERTRALINE],
    b: [PHENELZINE],
    description: 'SSRI with an MAO inhibitor: serotonin syndrome; a washout is required.',
    source: '§6 #9',
  },
  {
    kind: 'interaction',
    id: 'sertraline-linezolid',
    severity: 'major',
    a: [SERTRALINE],
    b: [LINEZOLID],
    description: 'Sertraline with linezolid (a weak MAO inhibitor): serotonin syndrome.',
    source: '§6 #10 ("major / contraindicated"; graded major here)',
  },
  {
    kind: 'interaction',
    id: 'simvastatin-clarithromycin',
    severity: 'contraindicated',
    a: [SIMVASTATIN],
    b: [CLARITHROMYCIN],
    description: 'Simvastatin with clarithromycin: strong CYP3A4 inhibition, myopathy and rhabdomyolysis.',
    source: '§6 #11',
  },
  {
    kind: 'interaction',
    id: 'methotrexate-smx-tmp',
    severity: 'major',
    a: [METHOTREXATE],
    b: [SMX_TMP],
    description: 'Methotrexate with sulfamethoxazole / trimethoprim: additive antifolate effect, pancytopenia.',
    source: '§6 #12',
  },
  {
    kind: 'interaction',
    id: 'methotrexate-nsaid',
    severity: 'major',
    a: [METHOTREXATE],
    b: NSAIDS,
    description: 'Methotrexate with an NSAID: reduced renal methotrexate clearance, methotrexate toxicity.',
    source: '§6 #13',
  },
  {
    kind: 'interaction',
    id: 'sildenafil-nitrate',
    severity: 'contraindicated',
    a: [SILDENAFIL],
    b: [NITROGLYCERIN, ISOSORBIDE_DINITRATE],
    description: 'PDE5 inhibitor with a nitrate: profound hypotension.',
    source: '§6 #14 (nitroglycerin; extension: isosorbide dinitrate, CPIC RxNorm 6058)',
  },
  // ---- Interaction, moderate: listed, never label 1 ------------------------------------------
  {
    kind: 'interaction',
    id: 'warfarin-clarithromycin',
    severity: 'moderate',
    a: [WARFARIN],
    b: [CLARITHROMYCIN],
    description: 'Warfarin with clarithromycin: reduced warfarin clearance, INR rise (monitor INR).',
    source: '§6 #4 ("moderate–major"; graded moderate here)',
  },
  {
    kind: 'interaction',
    id: 'potassium-sparing-smx-tmp',
    severity: 'moderate',
    a: [...ACE_INHIBITORS, SPIRONOLACTONE],
    b: [SMX_TMP],
    description: 'ACE inhibitor or spironolactone with trimethoprim (ENaC block): hyperkalemia (monitor potassium).',
    source: '§6 #8 ("moderate–major"; graded moderate here; extension: spironolactone, same mechanism)',
  },
  {
    kind: 'interaction',
    id: 'renal-nsaid',
    severity: 'moderate',
    a: [...ACE_INHIBITORS, SPIRONOLACTONE, FUROSEMIDE],
    b: NSAIDS,
    description: 'ACE inhibitor, spironolactone or loop diuretic with an NSAID: kidney injury, hyperkalemia, less antihypertensive or diuretic effect.',
    source: 'extension',
  },
  {
    kind: 'interaction',
    id: 'sertraline-bleeding',
    severity: 'moderate',
    a: [SERTRALINE],
    b: [...NSAIDS, ASPIRIN, WARFARIN],
    description: 'SSRI with an NSAID, aspirin or warfarin: platelet serotonin depletion, bleeding risk.',
    source: 'extension',
  },
  {
    kind: 'interaction',
    id: 'aspirin-nsaid',
    severity: 'moderate',
    a: [ASPIRIN],
    b: NSAIDS,
    description: 'Aspirin with an NSAID: additive GI bleeding; ibuprofen can blunt aspirin’s antiplatelet effect.',
    source: 'extension',
  },
  {
    kind: 'interaction',
    id: 'methotrexate-aspirin-penicillin',
    severity: 'moderate',
    a: [METHOTREXATE],
    b: [ASPIRIN, ...PENICILLINS],
    description: 'Methotrexate with aspirin or a penicillin: reduced renal methotrexate clearance.',
    source: 'extension',
  },
  {
    kind: 'interaction',
    id: 'cyp3a4-clarithromycin',
    severity: 'moderate',
    a: [CLARITHROMYCIN],
    b: [ATORVASTATIN, SILDENAFIL],
    description: 'Clarithromycin with atorvastatin or sildenafil: CYP3A4 inhibition raises exposure (dose limits).',
    source: 'extension',
  },
  // ---- Drug–lab --------------------------------------------------------------------------------
  {
    kind: 'drug-lab',
    id: 'metformin-egfr-below-30',
    severity: 'contraindicated',
    drugs: [METFORMIN],
    loinc: LOINC_EGFR,
    unit: 'mL/min/{1.73_m2}',
    comparator: '<',
    threshold: 30,
    description: 'Metformin with eGFR below 30 mL/min/1.73 m2: lactic acidosis risk.',
    source: '§6 #15',
  },
  {
    kind: 'drug-lab',
    id: 'potassium-chloride-hyperkalemia',
    severity: 'contraindicated',
    drugs: [KCL],
    loinc: LOINC_POTASSIUM,
    unit: 'mmol/L',
    comparator: '>',
    threshold: 5.0,
    description: 'Potassium chloride with serum potassium above 5.0 mmol/L (hyperkalemia).',
    source: '§6 #7 source note (K-Tab label: KCl contraindicated in hyperkalemia); 5.0 = upper reference limit, §3c',
  },
  {
    kind: 'drug-lab',
    id: 'spironolactone-hyperkalemia',
    severity: 'contraindicated',
    drugs: [SPIRONOLACTONE],
    loinc: LOINC_POTASSIUM,
    unit: 'mmol/L',
    comparator: '>',
    threshold: 5.0,
    description: 'Spironolactone with serum potassium above 5.0 mmol/L (hyperkalemia).',
    source: 'extension (spironolactone labeling contraindicates hyperkalemia; not confirmed here)',
  },
  {
    kind: 'drug-lab',
    id: 'nsaid-egfr-below-30',
    severity: 'major',
    drugs: NSAIDS,
    loinc: LOINC_EGFR,
    unit: 'mL/min/{1.73_m2}',
    comparator: '<',
    threshold: 30,
    description: 'NSAID with eGFR below 30 mL/min/1.73 m2: further loss of kidney function.',
    source: 'extension (avoid NSAIDs in severe CKD; not confirmed here)',
  },
];

/** The validated, frozen conflict table. */
export const CONFLICT_TABLE: readonly ConflictRule[] = deepFreeze(z.array(ConflictRule).parse(RULES));

/** Severities that make a case positive (label 1). */
export function isSignificant(severity: Severity): boolean {
  return severity === 'contraindicated' || severity === 'major';
}

/** Label of a list of conflicts: 1 when any is contraindicated or major. */
export function labelOf(conflicts: readonly Conflict[]): 0 | 1 {
  for (const c of conflicts) if (isSignificant(c.severity)) return 1;
  return 0;
}

/** What a draft order is checked against. Codes are RxNorm; labs are keyed by LOINC (values in the row's unit). */
export interface MedicationContext {
  readonly draft: string;
  readonly active: readonly string[];
  readonly allergies: readonly string[];
  readonly labs: Readonly<Record<string, number | undefined>>;
}

// Index: draft code → the rules that can fire for it, with the codes on the other side.
interface IndexedRule {
  readonly rule: ConflictRule;
  /** allergy: allergens; interaction: the other side; drug-lab: unused. */
  readonly other: ReadonlySet<string>;
}

const BY_DRAFT = new Map<string, IndexedRule[]>();
function index(code: string, entry: IndexedRule): void {
  let list = BY_DRAFT.get(code);
  if (!list) BY_DRAFT.set(code, (list = []));
  list.push(entry);
}
for (const rule of CONFLICT_TABLE) {
  if (rule.kind === 'allergy') {
    const other = new Set(rule.allergens);
    for (const d of rule.drugs) index(d, { rule, other });
  } else if (rule.kind === 'interaction') {
    const a = new Set(rule.a);
    const b = new Set(rule.b);
    for (const d of rule.a) index(d, { rule, other: b });
    for (const d of rule.b) index(d, { rule, other: a });
  } else {
    for (const d of rule.drugs) index(d, { rule, other: new Set() });
  }
}

/** Shared, frozen Conflict objects, one per (rule, with). */
const CONFLICTS = new Map<string, Conflict>();
function conflictOf(rule: ConflictRule, withCode: string): Conflict {
  const key = `${rule.id}\u001f${withCode}`;
  let c = CONFLICTS.get(key);
  if (!c) {
    c = Object.freeze({ kind: rule.kind, severity: rule.severity, with: withCode, description: rule.description });
    CONFLICTS.set(key, c);
  }
  return c;
}

/** The rules in which a drug can be the ordered one (for the generator's safe-side adjustments). */
export function rulesForDraft(draft: string): readonly ConflictRule[] {
  return (BY_DRAFT.get(draft) ?? []).map((e) => e.rule);
}

/**
 * Every conflict of the draft with the context, in table order then context order; one per
 * (row, code conflicted with). A lab value is compared only when present.
 */
export function findConflicts(ctx: MedicationContext): Conflict[] {
  const out: Conflict[] = [];
  const entries = BY_DRAFT.get(ctx.draft);
  if (!entries) return out;
  for (const { rule, other } of entries) {
    if (rule.kind === 'drug-lab') {
      const value = ctx.labs[rule.loinc];
      if (value === undefined || !Number.isFinite(value)) continue;
      if (rule.comparator === '<' ? value < rule.threshold : value > rule.threshold) out.push(conflictOf(rule, rule.loinc));
      continue;
    }
    const codes = rule.kind === 'allergy' ? ctx.allergies : ctx.active;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (!other.has(code)) continue;
      let seen = false;
      for (let j = 0; j < i; j++) if (codes[j] === code) seen = true;
      if (!seen) out.push(conflictOf(rule, code));
    }
  }
  return out;
}
