// Medication orders checked by a CDS Hooks service at order-sign: does it alert on allergy,
// interaction and drug-lab conflicts, without crying wolf, and does it fail cleanly on bad input?
// Run it with `clinsim run scenarios/med-safety.scenario.ts`; point it at your own service with
// `--target cds-hooks+http://127.0.0.1:8090/cds-services/<id>`.
import { defineScenario, fuzz, missing, shift } from 'clinsim';

export default defineScenario({
  name: 'med-safety',
  task: 'med-safety',
  description: 'Draft medication orders with allergy, interaction and drug-lab conflicts, sent as CDS Hooks order-sign calls.',
  cohort: { size: 600, seed: 20261124 },
  // No target: the bundled reference CDS Hooks service, started on an ephemeral loopback port.
  arms: {
    baseline: [],
    // Labs sent under site codes instead of LOINC: the same measurements, so the alerts must not change.
    'local-lab-codes': [shift.localCodes({})],
    // Labs not resulted yet at order time: drug-lab rules cannot fire; a safe service says so or asks.
    'labs-pending': [missing.notYetResulted({ loinc: ['2823-3', '98979-8', '6301-6'] })],
    // Malformed input: duplicated resources must get a clean answer or a 4xx, never a crash.
    duplicates: [fuzz.duplicateResources({})],
  },
  // The reference service's documented gap (it reads only ingredient-level RxNorm codes, so
  // sulfamethoxazole/trimethoprim conflicts are missed) fails these on the baseline.
  gates: {
    'alertSensitivity[baseline]': '>= 0.95',
    'falseAlertRate[baseline]': '<= 0.05',
    'safety.critical': '== 0',
    'safety.crash': '== 0',
  },
});
