import type { DrugKey, ReactionKey } from './codes.ts';
import type { AllergenClass } from './situations.ts';

/**
 * Drug allergies and intolerances as Synthea records them (clinical-codes.md §5, SY-ALG): the
 * AllergyIntolerance code is an RxNorm ingredient, the category medication. For each class: the
 * ingredient codes used (weights), the type, the reactions (SNOMED CT, §5) and the background
 * prevalence. Prevalences follow the SY-ALG remarks where they give one; see docs/cohorts.md.
 */

export interface AllergenProfile {
  readonly class: AllergenClass;
  readonly type: 'allergy' | 'intolerance';
  readonly substances: readonly { readonly drug: DrugKey; readonly weight: number }[];
  readonly reactions: readonly { readonly reaction: ReactionKey; readonly weight: number }[];
  /** Background prevalence (the ACE-inhibitor one applies to patients with hypertension or heart failure). */
  readonly prevalence: number;
}

/** In the order the background draws them. */
export const ALLERGEN_PROFILES: readonly AllergenProfile[] = [
  {
    class: 'penicillin',
    type: 'allergy',
    substances: [{ drug: 'penicillinV', weight: 1 }],
    reactions: [
      { reaction: 'wheal', weight: 0.45 },
      { reaction: 'skinEruption', weight: 0.25 },
      { reaction: 'itching', weight: 0.15 },
      { reaction: 'anaphylaxis', weight: 0.1 },
      { reaction: 'angioedema', weight: 0.05 },
    ],
    prevalence: 0.1,
  },
  {
    class: 'sulfonamide',
    type: 'allergy',
    substances: [{ drug: 'smxTmp', weight: 1 }],
    reactions: [
      { reaction: 'skinEruption', weight: 0.5 },
      { reaction: 'wheal', weight: 0.25 },
      { reaction: 'itching', weight: 0.2 },
      { reaction: 'anaphylaxis', weight: 0.05 },
    ],
    prevalence: 0.05,
  },
  {
    class: 'nsaid',
    type: 'allergy',
    substances: [
      { drug: 'ibuprofen', weight: 0.6 },
      { drug: 'aspirin', weight: 0.4 },
    ],
    reactions: [
      { reaction: 'wheal', weight: 0.35 },
      { reaction: 'angioedema', weight: 0.3 },
      { reaction: 'dyspnea', weight: 0.25 },
      { reaction: 'anaphylaxis', weight: 0.1 },
    ],
    prevalence: 0.026,
  },
  {
    class: 'cephalosporin',
    type: 'allergy',
    substances: [
      { drug: 'cephalexin', weight: 0.5 },
      { drug: 'cefaclor', weight: 0.2 },
      { drug: 'ceftriaxone', weight: 0.15 },
      { drug: 'cefuroxime', weight: 0.15 },
    ],
    reactions: [
      { reaction: 'wheal', weight: 0.5 },
      { reaction: 'skinEruption', weight: 0.3 },
      { reaction: 'itching', weight: 0.1 },
      { reaction: 'anaphylaxis', weight: 0.1 },
    ],
    prevalence: 0.02,
  },
  {
    class: 'aceInhibitor',
    type: 'intolerance',
    substances: [
      { drug: 'lisinopril', weight: 0.7 },
      { drug: 'enalapril', weight: 0.15 },
      { drug: 'ramipril', weight: 0.1 },
      { drug: 'captopril', weight: 0.05 },
    ],
    reactions: [
      { reaction: 'cough', weight: 0.85 },
      { reaction: 'hyperkalemia', weight: 0.15 },
    ],
    prevalence: 0.115,
  },
];

export const ALLERGEN_PROFILE: Readonly<Record<AllergenClass, AllergenProfile>> = Object.fromEntries(
  ALLERGEN_PROFILES.map((p) => [p.class, p]),
) as Record<AllergenClass, AllergenProfile>;

/** Background prevalence of an ACE-inhibitor intolerance without hypertension or heart failure. */
export const ACE_INTOLERANCE_UNEXPOSED = 0.01;

/** Reactions a "mild" allergy may not have (a cephalosporin is not ordered after these). */
export const SEVERE_REACTIONS: ReadonlySet<ReactionKey> = new Set<ReactionKey>(['anaphylaxis', 'angioedema']);
