import { clamp, normal, type Rng } from '../../random.ts';
import type { MeanSd, VitalProfile } from './families.ts';
import { DANGER_ZONE } from './triage.ts';

/**
 * Triage vitals of one patient: five normal draws from the family's profile, then each value is
 * placed where the patient's path needs it. Placement reflects a value across the danger-zone
 * boundary (instead of clamping it), so no value piles up at a threshold.
 *
 * - `safe` (urgent and non-urgent notes): HR ≤ 100, RR ≤ 20, SpO2 ≥ 92 %, SBP ≥ 100 mmHg, so the
 *   danger-zone rule never applies and no vital suggests instability;
 * - `danger` (emergent by the danger-zone rule): one vital, chosen by the family's weights, is drawn
 *   from an ill profile and reflected into the danger zone; the others are free;
 * - `free` (emergent by a finding): the profile's values within physiological bounds.
 *
 * Always 11 uniforms: 5 normals and the choice of the danger vital.
 */

export type VitalMode = 'safe' | 'danger' | 'free';

/** Values as charted: integers, temperature in °C with one decimal. */
export interface DrawnVitals {
  readonly heartRate: number;
  readonly respiratoryRate: number;
  /** °C, 1 decimal */
  readonly temperature: number;
  readonly systolicBp: number;
  readonly spo2: number;
}

export const VITAL_DRAWS = 11;

/** The vital a danger path pushes into the danger zone. */
export type DangerVital = 'heartRate' | 'respiratoryRate' | 'spo2';
const DANGER_VITALS: readonly DangerVital[] = ['heartRate', 'respiratoryRate', 'spo2'];

/** Profile of the vital pushed into the danger zone (assumption: moderately ill). */
const ILL: Readonly<Record<DangerVital, MeanSd>> = { heartRate: [114, 10], respiratoryRate: [24, 3], spo2: [89, 2] };

const HR_MAX_SAFE = DANGER_ZONE.heartRateAbove; // 100
const RR_MAX_SAFE = DANGER_ZONE.respiratoryRateAbove; // 20
const SPO2_MIN_SAFE = DANGER_ZONE.spo2Below; // 92
const SBP_MIN_SAFE = 100;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const at = (p: MeanSd, z: number): number => p[0] + p[1] * z;

/** Integer at most `max` (safe) or above it (danger), by reflection across max + 0.5. */
function below(x: number, max: number, lo: number): number {
  return clamp(x > max ? 2 * max + 1 - x : x, lo, max);
}
function above(x: number, max: number, hi: number): number {
  return clamp(x <= max ? 2 * max + 1 - x : x, max + 1, hi);
}

function pickDanger(u: number, weights: readonly [number, number, number]): DangerVital {
  const total = weights[0] + weights[1] + weights[2];
  let v = u * total;
  for (let i = 0; i < 3; i++) {
    v -= weights[i]!;
    if (v < 0) return DANGER_VITALS[i]!;
  }
  return 'heartRate';
}

export function drawVitals(
  rng: Rng,
  profile: VitalProfile,
  ageYears: number,
  mode: VitalMode,
  dangerWeights: readonly [number, number, number],
): DrawnVitals {
  const zHr = normal(rng);
  const zRr = normal(rng);
  const zT = normal(rng);
  const zSbp = normal(rng);
  const zSpo2 = normal(rng);
  const danger = pickDanger(rng(), dangerWeights);
  const sbpProfile: MeanSd = [profile.systolicBp[0] + 0.4 * (ageYears - 50), profile.systolicBp[1]];

  const hr = Math.round(at(mode === 'danger' && danger === 'heartRate' ? ILL.heartRate : profile.heartRate, zHr));
  const rr = Math.round(at(mode === 'danger' && danger === 'respiratoryRate' ? ILL.respiratoryRate : profile.respiratoryRate, zRr));
  const spo2 = Math.round(at(mode === 'danger' && danger === 'spo2' ? ILL.spo2 : profile.spo2, zSpo2));
  const sbp = Math.round(at(sbpProfile, zSbp));
  const temp = at(profile.temperature, zT);

  if (mode === 'safe') {
    return {
      heartRate: below(hr, HR_MAX_SAFE, 45),
      respiratoryRate: below(rr, RR_MAX_SAFE, 10),
      temperature: round1(clamp(temp, 35.8, 39.4)),
      systolicBp: clamp(sbp < SBP_MIN_SAFE ? 2 * SBP_MIN_SAFE - 1 - sbp : sbp, SBP_MIN_SAFE, 185),
      // SpO2 ≥ 92: reflect below 92 to ≥ 92 (91 → 92), cap at 100.
      spo2: clamp(spo2 < SPO2_MIN_SAFE ? 2 * SPO2_MIN_SAFE - 1 - spo2 : spo2, SPO2_MIN_SAFE, 100),
    };
  }
  return {
    heartRate: mode === 'danger' && danger === 'heartRate' ? above(hr, HR_MAX_SAFE, 175) : clamp(hr, 35, 190),
    respiratoryRate: mode === 'danger' && danger === 'respiratoryRate' ? above(rr, RR_MAX_SAFE, 40) : clamp(rr, 4, 45),
    temperature: round1(clamp(temp, 33.5, 41.5)),
    systolicBp: clamp(sbp, 55, 230),
    spo2:
      mode === 'danger' && danger === 'spo2'
        ? clamp(spo2 >= SPO2_MIN_SAFE ? 2 * SPO2_MIN_SAFE - 1 - spo2 : spo2, 72, SPO2_MIN_SAFE - 1)
        : clamp(spo2, 65, 100),
  };
}

/** °C (1 decimal) → °F (1 decimal), as a note charted in Fahrenheit writes it. */
export function toFahrenheit(celsius: number): number {
  return round1(celsius * 1.8 + 32);
}
