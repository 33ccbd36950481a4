import { fuzzDuplicateResources } from './duplicate-resources.ts';
import { fuzzEmptyBundle } from './empty-bundle.ts';
import { fuzzExtremeValues } from './extreme-values.ts';
import { fuzzInvalidCodes } from './invalid-codes.ts';
import { fuzzWrongTypes } from './wrong-types.ts';

/** Malformed input: the endpoint must answer with a clean error, not crash. */
export const fuzzKinds = {
  'fuzz.invalidCodes': fuzzInvalidCodes,
  'fuzz.extremeValues': fuzzExtremeValues,
  'fuzz.wrongTypes': fuzzWrongTypes,
  'fuzz.emptyBundle': fuzzEmptyBundle,
  'fuzz.duplicateResources': fuzzDuplicateResources,
} as const;
