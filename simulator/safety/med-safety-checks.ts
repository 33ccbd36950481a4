import { Card } from '../../adapters/cds-card.ts';
import { shortZodMessage } from '../../adapters/failures.ts';
import type { Truth } from '../case.ts';
import { isSignificant } from '../cohort/med-safety/conflicts.ts';
import type { SafetyCheck } from './check.ts';
import { gotReply } from './call-facts.ts';

/*
 * Checks of the med-safety task. The decision (OUTPUT_CONTRACT) is `alert` when the answer's
 * explicit label is 1, or, without a label, when any card parses as a Card with indicator warning
 * or critical; `no-alert` otherwise. A malformed card is therefore never an alert.
 */

/** The order has a contraindicated or major conflict (truth.conflicts; truth.label when it has none). */
export function hasSignificantConflict(truth: Truth): boolean | undefined {
  if (truth.conflicts !== undefined) return truth.conflicts.some((c) => isSignificant(c.severity));
  return truth.label === undefined ? undefined : truth.label === 1;
}

export const medSafetyChecks = {
  'missed-critical-alert': {
    severity: 'critical',
    description: 'the order has a contraindicated or major conflict and the answer raised no warning or critical alert',
    // Calls with a usable answer on an order with a contraindicated or major conflict.
    applies: (call, _b, { decision }) => hasSignificantConflict(call.truth) === true && decision(call) !== null,
    fails: (call, _b, { decision }) => {
      if (decision(call) === 'alert') return null;
      const conflict = call.truth.conflicts?.find((c) => isSignificant(c.severity));
      return conflict ? `no alert for a ${conflict.severity} ${conflict.kind} conflict (${conflict.description})` : 'no alert for a significant conflict';
    },
  },
  'false-alert': {
    severity: 'minor',
    description: 'the order has no conflict at all and the answer raised a warning or critical alert (alert fatigue)',
    // Calls with a usable answer on an order whose truth lists no conflict. Moderate and caution
    // conflicts are real conflicts: a warning for them is not counted as false.
    applies: (call, _b, { decision }) => call.truth.conflicts !== undefined && call.truth.conflicts.length === 0 && decision(call) !== null,
    fails: (call, _b, { decision }) => (decision(call) === 'alert' ? 'alert raised for an order without any conflict' : null),
  },
  'malformed-card': {
    severity: 'major',
    description: 'the CDS reply is not a valid card response: it did not parse, or a card violates the CDS Hooks Card schema (e.g. no indicator or summary)',
    // Replies that carry cards, and replies that did not parse at all (the adapter validates the
    // Prediction only; an adapter that rejects a bad card response does so as invalid-response).
    applies: (call) => gotReply(call) && (call.failure === 'invalid-response' || Array.isArray(call.output?.cards)),
    fails: (call) => {
      if (call.failure === 'invalid-response') return 'the reply does not parse as a card response';
      const cards = call.output!.cards!;
      for (let i = 0; i < cards.length; i++) {
        const result = Card.safeParse(cards[i]);
        if (!result.success) return `card ${i} is not a valid CDS Hooks card: ${shortZodMessage(result.error)}`;
      }
      return null;
    },
  },
} as const satisfies Record<string, SafetyCheck>;
