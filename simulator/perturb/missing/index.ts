import { missingDropResource } from './drop-resource.ts';
import { missingMar } from './mar.ts';
import { missingMcar } from './mcar.ts';
import { missingMnar } from './mnar.ts';
import { missingNotYetResulted } from './not-yet-resulted.ts';

/** Missingness: data a model expects is absent. */
export const missingKinds = {
  'missing.mcar': missingMcar,
  'missing.mar': missingMar,
  'missing.mnar': missingMnar,
  'missing.dropResource': missingDropResource,
  'missing.notYetResulted': missingNotYetResulted,
} as const;
