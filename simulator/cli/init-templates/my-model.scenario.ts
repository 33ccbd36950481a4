// A starter scenario for your own model, written by `clinsim init`. Run it with
//
//   npx clinsim run clinsim/my-model.scenario.ts
//
// As written it has no `target`, so it runs at once against clinsim's bundled reference sepsis
// model. That model has documented flaws (lactate sent in mg/dL is read as mmol/L; a missing or
// unreadable lactate is read as normal), so expect gates of the `lactate-mg-dl`, `missing-lactate`
// and `malformed-input` arms to fail: that is clinsim finding them. Uncomment `target` to test your
// endpoint instead.
//
// Every field is typed: your editor completes and checks it. `clinsim run` validates the file with
// the same schema before any call and answers a mistake with the field path (exit code 2).
// docs/perturbations.md lists every perturbation; the README's "Gates" section every figure.
import { defineScenario, fuzz, missing, shift } from 'clinsim';

const LACTATE = '2524-7'; // LOINC: Lactate [Moles/volume] in Serum or Plasma

export default defineScenario({
  name: 'my-model',
  task: 'sepsis',
  description: 'My sepsis model under an older population, lactate in mg/dL, missing lactate, lab noise and malformed input.',
  // Patient i depends only on (seed, task, i): keep the seed fixed and every run sees the same
  // patients, so a nightly comparison measures the model, not a new sample.
  cohort: { size: 2000, seed: 20261124 },

  // Your endpoint. `${NAME}` is read from the environment when the run starts (an unset variable is
  // an input error); credentials are named by their variable and never written to any output.
  // target: {
  //   adapter: 'http-json',                        // POSTs each case's FHIR R4 Bundle, expects { score }
  //   url: '${MODEL_URL}/predict',
  //   timeoutMs: 5000,
  //   concurrency: 8,
  //   auth: { bearerEnv: 'MODEL_TOKEN' },          // Authorization: Bearer $MODEL_TOKEN
  //   // auth: { header: 'X-API-Key', valueEnv: 'MODEL_API_KEY' },
  //   // response: { score: 'result.probability' }, // where the score is in your reply (dotted path)
  // },

  threshold: 0.1, // decision threshold on the score: sensitivity, specificity and flips are read at it
  // repeats: 3,   // send every call 3 times to measure flaky (non-deterministic) answers

  arms: {
    baseline: [],
    // A different case mix: an older population (the patient is regenerated at the new age).
    'older-population': [shift.age({ mean: 80, sd: 8 })],
    // The same lactate value in another unit: a robust model's decisions must not change.
    'lactate-mg-dl': [shift.units({ loinc: LACTATE, to: 'mg/dL' })],
    // Half of the lactate results missing: how much sensitivity does the model lose?
    'missing-lactate': [missing.mcar({ loinc: LACTATE, rate: 0.5 })],
    // 5% analytical noise on every lab and vital sign.
    'lab-noise': [shift.noise({ cv: 0.05 })],
    // Values of the wrong JSON type: the endpoint must answer (or refuse cleanly), never crash.
    'malformed-input': [fuzz.wrongTypes({})],
  },

  // k6-style gates: '<figure>[<arm>]': '<op> <number>'; `[*]` (or none) means every arm. A failed
  // gate makes `clinsim run` exit 1, and shows in junit.xml and summary.md.
  gates: {
    'auroc[baseline]': '>= 0.75',
    'auroc.drop[older-population]': '<= 0.05',
    'auroc.drop[lab-noise]': '<= 0.05',
    'flipRate[lactate-mg-dl]': '<= 0.02',
    'sensitivity.drop[missing-lactate]': '<= 0.05',
    'safety.critical': '== 0',
    'safety.crash': '== 0',
    'errorRate[baseline]': '<= 0.01',
    'latency.p95[baseline]': '< 1000',
  },
});
