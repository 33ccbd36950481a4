// The default sepsis scenario: a baseline arm and three arms that each probe one way real data
// differs from what a model was built on. Run it with `clinsim run scenarios/sepsis-shift.scenario.ts`;
// point it at your own endpoint with `--target http://127.0.0.1:3000/predict`.
import { defineScenario, missing, shift } from 'clinsim';

const LACTATE = '2524-7'; // Lactate [Moles/volume] in Serum or Plasma

export default defineScenario({
  name: 'sepsis-shift',
  task: 'sepsis',
  description: 'Sepsis risk under an older population, lactate reported in mg/dL, and lactate missing at random.',
  cohort: { size: 2000, seed: 20261124 },
  // No target: the bundled reference sepsis model, started on an ephemeral loopback port.
  arms: {
    baseline: [],
    // Population shift: patients drawn as if the hospital served an older population.
    'older-population': [shift.age({ mean: 80, sd: 8 })],
    // Same quantity, other unit: a site that reports lactate in mg/dL under the same code.
    'lactate-mg-dl': [shift.units({ loinc: LACTATE, to: 'mg/dL' })],
    // Half of the lactate results missing completely at random.
    'missing-lactate': [missing.mcar({ loinc: LACTATE, rate: 0.5 })],
  },
  // The reference model's flaws (models/README.md) fail these on the arms that target them:
  // mg/dL lactate flips decisions (invariance), missing lactate costs sensitivity and critical misses.
  gates: {
    // Lactate is ordered for about a third of ED patients, which caps what any model reaches.
    'auroc[baseline]': '>= 0.75',
    'auroc.drop[*]': '<= 0.05',
    'flipRate[lactate-mg-dl]': '<= 0.02',
    'sensitivity.drop[missing-lactate]': '<= 0.05',
    'safety.critical': '== 0',
  },
});
