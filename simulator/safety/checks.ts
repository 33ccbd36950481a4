import type { SafetyCheck } from './check.ts';
import { commonChecks } from './common-checks.ts';
import { directionalChecks } from './directional-checks.ts';
import { medSafetyChecks } from './med-safety-checks.ts';
import { sepsisChecks } from './sepsis-checks.ts';
import { triageChecks } from './triage-checks.ts';

export type { CheckContext, CheckInput, SafetyCheck } from './check.ts';

const definitions = {
  ...commonChecks,
  ...sepsisChecks,
  ...directionalChecks,
  ...triageChecks,
  ...medSafetyChecks,
} as const satisfies Record<string, SafetyCheck>;

export type CheckName = keyof typeof definitions;
/** Every safety check by name; a name without a handler does not compile. */
export const CHECKS: Record<CheckName, SafetyCheck> = definitions;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];
