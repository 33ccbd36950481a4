import { z } from 'zod';

/**
 * A CDS Hooks card (cds-hooks.hl7.org, "Card Attributes"): what a CDS service answers with.
 * `summary`, `indicator` and `source` are required; `summary` is under 140 characters.
 */
export const Card = z.object({
  uuid: z.string().optional(),
  summary: z.string().min(1).max(140),
  detail: z.string().optional(),
  indicator: z.enum(['info', 'warning', 'critical']),
  source: z.object({ label: z.string().min(1), url: z.string().optional(), topic: z.unknown().optional() }),
  suggestions: z
    .array(z.object({ label: z.string().min(1), uuid: z.string().optional(), isRecommended: z.boolean().optional(), actions: z.array(z.unknown()).optional() }))
    .optional(),
  selectionBehavior: z.enum(['at-most-one', 'any']).optional(),
  overrideReasons: z.array(z.unknown()).optional(),
  links: z.array(z.object({ label: z.string(), url: z.string(), type: z.enum(['absolute', 'smart']) })).optional(),
});
export type Card = z.infer<typeof Card>;

/** A card that should stop a clinician signing an order: a warning or a critical alert. */
export function isAlert(card: unknown): boolean {
  const parsed = Card.safeParse(card);
  return parsed.success && parsed.data.indicator !== 'info';
}
