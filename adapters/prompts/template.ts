import type { Bundle } from 'fhir/r4.js';
import { allergyLines, conditionLines, medicationLines, noteOf, observationLines, orderLines, patientLine } from './bundle-text.ts';

/*
 * Prompt templates: text with `{{name}}` placeholders filled from the case's Bundle. The same
 * placeholders serve every task's default template and a target's own `prompt`.
 */

const none = (lines: string[]): string => (lines.length === 0 ? '(none recorded)' : lines.join('\n'));

/** What each placeholder becomes; `answerFormat` is the task's answer instruction, the rest read the bundle. */
const RENDER = {
  note: (bundle: Bundle) => noteOf(bundle),
  observations: (bundle: Bundle) => none(observationLines(bundle)),
  conditions: (bundle: Bundle) => none(conditionLines(bundle)),
  medications: (bundle: Bundle) => none(medicationLines(bundle)),
  orders: (bundle: Bundle) => none(orderLines(bundle)),
  allergies: (bundle: Bundle) => none(allergyLines(bundle)),
  patient: (bundle: Bundle) => patientLine(bundle),
  bundle: (bundle: Bundle) => JSON.stringify(bundle),
  answerFormat: (_bundle: Bundle, answerFormat: string) => answerFormat,
} as const satisfies Record<string, (bundle: Bundle, answerFormat: string) => string>;

export type Placeholder = keyof typeof RENDER;
export const PLACEHOLDERS = Object.keys(RENDER) as Placeholder[];

const TOKEN = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The placeholders a template names that are not known, e.g. `['notes']` for `{{notes}}`. */
export function unknownPlaceholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(TOKEN)) if (!(PLACEHOLDERS as string[]).includes(m[1]!) && !out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/**
 * Fills a template. Each placeholder is rendered once, and only when the template uses it; a
 * placeholder's text is inserted as is (a note containing `{{…}}` is not expanded again).
 */
export function renderTemplate(template: string, bundle: Bundle, answerFormat: string): string {
  const cache = new Map<string, string>();
  return template.replace(TOKEN, (whole, name: string) => {
    if (!Object.hasOwn(RENDER, name)) return whole;
    let text = cache.get(name);
    if (text === undefined) {
      text = RENDER[name as Placeholder](bundle, answerFormat);
      cache.set(name, text);
    }
    return text;
  });
}
