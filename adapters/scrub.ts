import { AdapterError } from './adapter.ts';

/** Shorter header values (e.g. `Bearer`) are not secrets, and scrubbing them would mangle messages. */
const MIN_SECRET_CHARS = 8;

export interface Scrubber {
  /** `text` with every credential replaced by `[REDACTED]`. */
  text(text: string): string;
  /** The same AdapterError with its message scrubbed (anything else is returned as is). */
  error(error: unknown): unknown;
}

/**
 * Removes a target's credentials from text a server sent back (an error body, a model's answer),
 * so that a server echoing a header can never put a key in the journal. The credentials are the
 * values of `headers` (pass only credential headers) and, for `Authorization`, the token after the
 * scheme.
 */
export function secretScrubber(headers: Readonly<Record<string, string>>): Scrubber {
  const secrets = Object.values(headers)
    .flatMap((v) => [v, v.replace(/^\S+\s+/, '')])
    .filter((v, i, all) => v.length >= MIN_SECRET_CHARS && all.indexOf(v) === i)
    .sort((a, b) => b.length - a.length);
  const text = (t: string): string => secrets.reduce((out, s) => out.split(s).join('[REDACTED]'), t);
  return {
    text,
    error(error) {
      if (!(error instanceof AdapterError) || secrets.length === 0) return error;
      const message = text(error.message);
      return message === error.message ? error : new AdapterError(error.type, message, error.details);
    },
  };
}
