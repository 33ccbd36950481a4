import { createHash } from 'node:crypto';
import { CONFLICT_TABLE, type ConflictRule } from '../../simulator/cohort/med-safety/conflicts.ts';
import { activeAllergies, activeMedications, draftOrders, latestLabs, medicationConcept, prefetchResources, type CdsRequest, type Resource } from './request.ts';
import { conceptKeys, ingredientKeys, nameOf } from './rxnorm.ts';

/**
 * The reference med-safety CDS service (CDS Hooks `order-sign`): checks each draft medication order
 * against the patient's allergies, active medications and latest labs, and answers with one card per
 * conflict rule that fires. Its knowledge base is the same table the med-safety cohort's truth is
 * computed from (`CONFLICT_TABLE`, docs/cohorts.md "The conflict table"); its reading of the request —
 * codes, statuses, labs — is its own (request.ts, rxnorm.ts).
 *
 * Card per rule (cds-hooks.hl7.org "Card Attributes"): indicator `critical` for a contraindicated
 * pair, `warning` for major, `info` for moderate and caution (so only contraindicated and major
 * conflicts are alerts, which is the task's label rule); summary under 140 characters; source label;
 * alerts carry a suggestion to remove the draft order. Card uuids are derived from the order, rule
 * and conflicting codes, so the same request gets the same cards.
 *
 * Documented gap (flawed variant, models/README.md): drug codes are normalised to RxNorm ingredients
 * only (`ingredientKeys`), so conflicts of a multiple-ingredient product (SMX/TMP, MIN 10831) and of
 * drugs coded as clinical drugs (SCD) are missed. The flaw-free variant reads codes at both levels and
 * falls back to the ingredient names of unlisted codes (`conceptKeys`).
 */

export const SERVICE_ID = 'med-safety';
export const SERVICE_NAME = 'clinsim-reference-med-safety';
export const SERVICE_VERSION = '1.0.0';
export type ServiceVariant = 'flawed' | 'flaw-free';

/** The discovery document's prefetch templates: what the service needs to decide. */
export const PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  allergies: 'AllergyIntolerance?patient={{context.patientId}}',
  medications: 'MedicationRequest?patient={{context.patientId}}&status=active',
  statements: 'MedicationStatement?patient={{context.patientId}}&status=active',
  labs: 'Observation?patient={{context.patientId}}&category=laboratory',
} as const;

export interface CdsService {
  readonly hook: 'order-sign';
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly prefetch: Readonly<Record<string, string>>;
}

export function discoveryDocument(): { services: CdsService[] } {
  return {
    services: [
      {
        hook: 'order-sign',
        id: SERVICE_ID,
        title: 'clinsim reference medication safety check',
        description:
          'Checks a medication order being signed against the patient’s allergies, active medications and latest labs (drug–allergy, drug–drug and drug–lab conflicts). A reference service with documented flaws, for testing clinsim.',
        prefetch: { ...PREFETCH },
      },
    ],
  };
}

export interface CdsCard {
  uuid: string;
  summary: string;
  detail: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; topic: { system: string; code: string; display: string } };
  suggestions?: { label: string; uuid: string; isRecommended: boolean; actions: { type: 'delete'; description: string; resourceId: string }[] }[];
  selectionBehavior?: 'at-most-one';
}

const SOURCE_LABEL = 'clinsim reference med-safety service';
const TOPIC_SYSTEM = 'https://clinsim.example/cds/conflict-rules';
const INDICATOR: Record<ConflictRule['severity'], CdsCard['indicator']> = {
  contraindicated: 'critical',
  major: 'warning',
  moderate: 'info',
  caution: 'info',
};
const SEVERITY_WORD: Record<ConflictRule['severity'], string> = {
  contraindicated: 'Contraindicated',
  major: 'Major',
  moderate: 'Moderate',
  caution: 'Caution',
};
const LAB_NAMES: Readonly<Record<string, string>> = { '98979-8': 'eGFR', '2823-3': 'potassium', '2160-0': 'creatinine', '6301-6': 'INR' };
const SUMMARY_MAX = 140;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface Fired {
  readonly rule: ConflictRule;
  readonly draft: Resource;
  readonly draftName: string;
  /** What the draft conflicts with, as shown to the clinician. */
  readonly with: string[];
  readonly codes: string[];
}

const intersects = (keys: readonly string[], codes: readonly string[]): string | undefined => keys.find((k) => codes.includes(k));

export interface MedSafetyService {
  readonly variant: ServiceVariant;
  readonly version: string;
  /** The cards for a validated request (`prefetch` present). */
  evaluate(request: CdsRequest & { prefetch: Record<string, unknown> }): CdsCard[];
}

export function createMedSafetyService(options: { flawFree?: boolean } = {}): MedSafetyService {
  const variant: ServiceVariant = options.flawFree ? 'flaw-free' : 'flawed';
  const keysOf = variant === 'flawed' ? ingredientKeys : conceptKeys;

  const evaluate = (request: CdsRequest & { prefetch: Record<string, unknown> }): CdsCard[] => {
    const resources = prefetchResources(request.prefetch);
    const drafts = draftOrders(request);
    const allergies = activeAllergies(resources).map((a) => ({ keys: keysOf(a.code), kind: a.type === 'intolerance' ? 'intolerance' : 'allergy' }));
    const active = activeMedications(resources, drafts).map((m) => keysOf(medicationConcept(m)));
    const labs = latestLabs(resources);
    const cards: CdsCard[] = [];

    for (const draft of drafts) {
      const draftKeys = keysOf(medicationConcept(draft));
      if (draftKeys.length === 0) continue;
      for (const rule of CONFLICT_TABLE) {
        const fired = fire(rule, draft, draftKeys, allergies, active, labs);
        if (fired) cards.push(cardOf(fired));
      }
    }
    return cards;
  };

  return { variant, version: SERVICE_VERSION, evaluate };
}

function fire(
  rule: ConflictRule,
  draft: Resource,
  draftKeys: readonly string[],
  allergies: readonly { keys: string[]; kind: string }[],
  active: readonly string[][],
  labs: ReturnType<typeof latestLabs>,
): Fired | undefined {
  const shown: string[] = [];
  const codes: string[] = [];
  const add = (text: string, code: string) => {
    if (!codes.includes(code)) {
      codes.push(code);
      shown.push(text);
    }
  };
  let drug: string | undefined;
  if (rule.kind === 'allergy') {
    drug = intersects(draftKeys, rule.drugs);
    if (drug === undefined) return undefined;
    for (const a of allergies) {
      const allergen = intersects(a.keys, rule.allergens);
      if (allergen !== undefined) add(`${nameOf(allergen)} ${a.kind}`, allergen);
    }
  } else if (rule.kind === 'interaction') {
    const sides: [readonly string[], readonly string[]][] = [
      [rule.a, rule.b],
      [rule.b, rule.a],
    ];
    for (const [mine, other] of sides) {
      const d = intersects(draftKeys, mine);
      if (d === undefined) continue;
      for (const med of active) {
        const o = intersects(med, other);
        if (o !== undefined) {
          drug ??= d;
          add(`active ${nameOf(o)}`, o);
        }
      }
    }
  } else {
    drug = intersects(draftKeys, rule.drugs);
    const lab = labs.get(rule.loinc);
    if (drug === undefined || !lab || lab.unit !== rule.unit) return undefined;
    if (rule.comparator === '<' ? lab.value < rule.threshold : lab.value > rule.threshold) {
      add(`${LAB_NAMES[rule.loinc] ?? `LOINC ${rule.loinc}`} ${lab.value} ${rule.unit.replace(/\{|\}/g, '')} (${rule.comparator} ${rule.threshold})`, rule.loinc);
    }
  }
  if (drug === undefined || codes.length === 0) return undefined;
  return { rule, draft, draftName: nameOf(drug), with: shown, codes };
}

function cardOf(f: Fired): CdsCard {
  const { rule } = f;
  const severity = SEVERITY_WORD[rule.severity];
  const what = f.with.join(', ');
  const summary =
    rule.kind === 'allergy'
      ? `${severity}: ${f.draftName} ordered with a recorded ${what}`
      : rule.kind === 'interaction'
        ? `${severity} interaction: ${f.draftName} with ${what}`
        : `${severity}: ${f.draftName} with ${what}`;
  const draftId = str(f.draft.id) ?? 'draft';
  const card: CdsCard = {
    uuid: stableUuid(draftId, rule.id, ...f.codes),
    summary: clip(summary, SUMMARY_MAX),
    detail: `${rule.description} Knowledge-base rule \`${rule.id}\` (${rule.source}).`,
    indicator: INDICATOR[rule.severity],
    source: { label: SOURCE_LABEL, topic: { system: TOPIC_SYSTEM, code: rule.id, display: rule.description } },
  };
  if (card.indicator !== 'info') {
    card.suggestions = [
      {
        label: `Remove the ${f.draftName} order`,
        uuid: stableUuid(draftId, rule.id, 'remove'),
        isRecommended: rule.severity === 'contraindicated',
        actions: [{ type: 'delete', description: `Remove the draft ${f.draftName} order`, resourceId: `MedicationRequest/${draftId}` }],
      },
    ];
    card.selectionBehavior = 'at-most-one';
  }
  return card;
}
