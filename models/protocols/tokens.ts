/**
 * The reference chat endpoint's token counts. Not a real BPE tokenizer (no vocabulary ships with
 * clinsim): a documented stand-in of the same order of magnitude, so that usage and cost reporting
 * can be exercised end to end with exact, reproducible numbers.
 *
 * - A token is a run of letters (with their combining marks), a run of digits, or any other single
 *   non-space character: `"HR 112, SpO2 91%"` is `HR`, `112`, `,`, `SpO`, `2`, `91`, `%` = 7 tokens.
 * - A request's prompt tokens are, as in OpenAI's published counting recipe for chat models, the
 *   tokens of each message's content plus 3 per message, plus 3 that prime the reply.
 */

const TOKEN = /[\p{L}\p{M}]+|\p{N}+|[^\s\p{L}\p{M}\p{N}]/gu;

export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

/** Start and end offsets of each token of `text`. */
export function tokenSpans(text: string): [number, number][] {
  return Array.from(text.matchAll(TOKEN), (m) => [m.index, m.index + m[0].length]);
}

export function countTokens(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(TOKEN)) n++;
  return n;
}

export function promptTokens(messages: readonly { content: string }[]): number {
  return messages.reduce((sum, m) => sum + TOKENS_PER_MESSAGE + countTokens(m.content), REPLY_PRIMING_TOKENS);
}
