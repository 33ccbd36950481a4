import { z } from 'zod';

/**
 * What a request body template may name. A string value that is exactly `"{{name}}"` is replaced by
 * the value itself (not its text): the Bundle and the feature row as JSON objects, the case index
 * as a number, the task as a string (adapters/request-template.ts fills them in).
 */
export const PLACEHOLDERS = ['bundle', 'features', 'caseIndex', 'task'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const WHOLE = /^\{\{([A-Za-z]+)\}\}$/;
const INSIDE = new RegExp(`\\{\\{\\s*(?:${PLACEHOLDERS.join('|')})\\s*\\}\\}`);
const LIST = PLACEHOLDERS.map((p) => `"{{${p}}}"`).join(', ');

/** The placeholder a string value stands for, if it is one. */
export function placeholderOf(value: string): Placeholder | undefined {
  const name = WHOLE.exec(value)?.[1];
  return name !== undefined && (PLACEHOLDERS as readonly string[]).includes(name) ? (name as Placeholder) : undefined;
}

/**
 * Why a template string would not do what its author meant, or null. A placeholder inside a longer
 * string is refused rather than left as text: substituting a Bundle into a sentence has no one
 * right meaning, and sending `{{bundle}}` literally would fail silently at the model.
 */
function problemOf(value: string): string | null {
  const whole = WHOLE.exec(value);
  if (whole) return placeholderOf(value) ? null : `unknown placeholder ${value}; use one of ${LIST}`;
  if (INSIDE.test(value)) return `a placeholder must be the whole string value (${LIST}), not part of one`;
  return null;
}

function check(value: unknown, path: PropertyKey[], issues: Array<{ path: PropertyKey[]; message: string }>): void {
  if (typeof value === 'string') {
    const problem = problemOf(value);
    if (problem) issues.push({ path, message: problem });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => check(item, [...path, i], issues));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) check(item, [...path, key], issues);
  }
}

/** A JSON request body with whole-string placeholders (`"{{bundle}}"`, `"{{features}}"`, …). */
export const BodyTemplate = z.json().superRefine((value, ctx) => {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  check(value, [], issues);
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: value });
});
export type BodyTemplate = z.infer<typeof BodyTemplate>;
