import { missingMcar } from './mcar.ts';

/** Missingness: data a model expects is absent. */
export const missingKinds = {
  'missing.mcar': missingMcar,
} as const;
