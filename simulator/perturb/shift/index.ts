import { shiftAge } from './age.ts';
import { shiftLabBias } from './lab-bias.ts';
import { shiftLocalCodes } from './local-codes.ts';
import { shiftNoise } from './noise.ts';
import { shiftPrevalence } from './prevalence.ts';
import { shiftRaceEthnicity } from './race-ethnicity.ts';
import { shiftSex } from './sex.ts';
import { shiftUnits } from './units.ts';

/** Distribution shift: the population, units or codes change. */
export const shiftKinds = {
  'shift.age': shiftAge,
  'shift.sex': shiftSex,
  'shift.raceEthnicity': shiftRaceEthnicity,
  'shift.prevalence': shiftPrevalence,
  'shift.labBias': shiftLabBias,
  'shift.units': shiftUnits,
  'shift.localCodes': shiftLocalCodes,
  'shift.noise': shiftNoise,
} as const;
