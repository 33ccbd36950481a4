import { shiftAge } from './age.ts';
import { shiftUnits } from './units.ts';

/** Distribution shift: the population, units or codes change. */
export const shiftKinds = {
  'shift.age': shiftAge,
  'shift.units': shiftUnits,
} as const;
