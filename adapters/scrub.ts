import { AdapterError, type Prediction } from './adapter.ts';
import { isSecretName } from '../simulator/run/redact.ts';

/** Shorter values (e.g. `Bearer`) are not secrets, and scrubbing them would mangle messages. */
const MIN_SECRET_CHARS = 8;

/** Request headers that describe the exchange, never a credential: everything else sent is one. */
const PROTOCOL_HEADERS = new Set(['content-type', 'accept', 'content-length', 'user-agent', 'accept-encoding']);

/**
 * What may frame a fragment cut at a message's end or start: an ellipsis left by trimming, quotes
 * (`quote()` JSON-encodes), whitespace and closing punctuation.
 */
const EDGE = /[\s…"'`)\].,;:]*/.source;

export interface Scrubber {
  /** `text` with every credential, and a credential's fragment cut at either end, replaced by `[REDACTED]`. */
  text(text: string): string;
  /** The same error with its message scrubbed (an AdapterError stays one, of the same type and details). */
  error(error: unknown): unknown;
  /** The Prediction with `text` and every string in `cards` scrubbed; the same object when nothing changed. */
  prediction(prediction: Prediction): Prediction;
}

/**
 * The secrets of a request: the values of its credential headers (every header but the protocol's
 * own), the token after an `Authorization` scheme, a Basic pair's password, and, of `url`, the
 * userinfo and the values of credential-like query parameters (simulator/run/redact.ts names them).
 */
export function secretsOf(headers: Readonly<Record<string, string>>, url?: string): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (PROTOCOL_HEADERS.has(name.toLowerCase())) continue;
    out.push(value);
    const token = value.replace(/^\S+\s+/, '');
    out.push(token);
    if (/^basic\s/i.test(value)) {
      const pair = Buffer.from(token, 'base64').toString('utf8');
      out.push(pair, pair.slice(pair.indexOf(':') + 1));
    }
  }
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      const user = decodeSafe(parsed.username);
      const password = decodeSafe(parsed.password);
      out.push(user, password, parsed.username, parsed.password);
      if (parsed.username || parsed.password) {
        // The Basic header splitCredentials (http-exchange.ts) makes of them, as a proxy may echo it.
        out.push(Buffer.from(`${user}:${password}`, 'utf8').toString('base64'));
      }
      for (const [name, value] of parsed.searchParams) if (isSecretName(name)) out.push(value);
      // The raw (percent-encoded) form too: a server may echo the query as it received it.
      for (const pair of parsed.search.slice(1).split('&')) {
        const eq = pair.indexOf('=');
        if (eq >= 0 && isSecretName(pair.slice(0, eq))) out.push(pair.slice(eq + 1));
      }
    } catch {
      // Not a URL: it has no secrets to add (the adapter would refuse it anyway).
    }
  }
  return out.filter((v, i) => v.length >= MIN_SECRET_CHARS && out.indexOf(v) === i);
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Removes a target's credentials from text a server sent back (an error body, a model's answer),
 * so that a server echoing a header can never put a key in the journal. The credentials are the
 * values of `headers` (pass only credential headers) with, for `Authorization`, the token after the
 * scheme, and `extra` (e.g. secretsOf a URL). A text trimmed before it got here may end with the
 * start of a key or begin with its end: such a fragment of 8 characters or more is masked as well.
 */
export function secretScrubber(headers: Readonly<Record<string, string>>, extra: readonly string[] = []): Scrubber {
  const secrets = [...Object.values(headers).flatMap((v) => [v, v.replace(/^\S+\s+/, '')]), ...extra]
    .filter((v, i, all) => v.length >= MIN_SECRET_CHARS && all.indexOf(v) === i)
    .sort((a, b) => b.length - a.length);
  const trailing = new RegExp(`${EDGE}$`);
  const leading = new RegExp(`^${EDGE}`);

  const text = (t: string): string => {
    if (secrets.length === 0) return t;
    let out = secrets.reduce((acc, s) => acc.split(s).join('[REDACTED]'), t);
    for (const s of secrets) {
      const end = out.length - (trailing.exec(out)?.[0].length ?? 0);
      const cut = longestPrefixEndingAt(out, end, s);
      if (cut > 0) out = `${out.slice(0, end - cut)}[REDACTED]${out.slice(end)}`;
      const start = leading.exec(out)?.[0].length ?? 0;
      const head = longestSuffixStartingAt(out, start, s);
      if (head > 0) out = `${out.slice(0, start)}[REDACTED]${out.slice(start + head)}`;
    }
    return out;
  };

  return {
    text,
    error(error) {
      if (secrets.length === 0) return error;
      if (error instanceof AdapterError) {
        const message = text(error.message);
        return message === error.message ? error : new AdapterError(error.type, message, error.details);
      }
      if (error instanceof Error) {
        // A plain Error (an adapter's bug) stays one, so the runner still tells it from a failure.
        const message = text(error.message);
        if (message === error.message) return error;
        const scrubbed = new Error(message);
        scrubbed.name = error.name;
        return scrubbed;
      }
      return typeof error === 'string' ? text(error) : error;
    },
    prediction(prediction) {
      if (secrets.length === 0) return prediction;
      const scrubbedText = prediction.text === undefined ? undefined : text(prediction.text);
      const cards = prediction.cards === undefined ? undefined : (deepScrub(prediction.cards, text) as unknown[]);
      const sameCards = cards === undefined || JSON.stringify(cards) === JSON.stringify(prediction.cards);
      if (scrubbedText === prediction.text && sameCards) return prediction;
      return { ...prediction, ...(scrubbedText === undefined ? {} : { text: scrubbedText }), ...(cards === undefined ? {} : { cards }) };
    },
  };
}

/** Length (≥ 8) of the longest prefix of `secret` that ends at `end` in `text`, else 0. */
function longestPrefixEndingAt(text: string, end: number, secret: string): number {
  for (let n = Math.min(secret.length - 1, end); n >= MIN_SECRET_CHARS; n--) {
    if (text.slice(end - n, end) === secret.slice(0, n)) return n;
  }
  return 0;
}

/** Length (≥ 8) of the longest suffix of `secret` that starts at `start` in `text`, else 0. */
function longestSuffixStartingAt(text: string, start: number, secret: string): number {
  for (let n = Math.min(secret.length - 1, text.length - start); n >= MIN_SECRET_CHARS; n--) {
    if (text.slice(start, start + n) === secret.slice(secret.length - n)) return n;
  }
  return 0;
}

function deepScrub(value: unknown, text: (t: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((v) => deepScrub(v, text));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepScrub(v, text)]));
  }
  return value;
}
