/** Resource slots of the med-safety bundle (ids come from the shared uuid factory, ../uuid.ts). */

/** Slots of the med-safety bundle. Each concept has its own range, indexed by its key's position. */
export const SLOT = {
  bundle: 0,
  patient: 1,
  encounter: 2,
  draft: 3,
  /** + index in CONDITION_KEYS */
  condition: 8,
  /** + index in ALLERGEN_PROFILES */
  allergy: 40,
  /** + index in DRUG_KEYS */
  medication: 64,
  /** + index in LAB_KEYS */
  lab: 128,
} as const;
