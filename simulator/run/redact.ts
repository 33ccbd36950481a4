/** Words that mark a query parameter as a credential, matched against the parts of its name. */
const SECRET_WORDS = new Set([
  'key', 'apikey', 'token', 'secret', 'sig', 'signature', 'password', 'passwd', 'pwd', 'auth',
  'authorization', 'credential', 'credentials', 'code', 'session', 'sas',
]);

export function isSecretName(name: string): boolean {
  // `api_key`, `X-Api-Key`, `accessToken` → api, key / x, api, key / access, token
  const parts = decodeURIComponentSafe(name)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return parts.some((p) => SECRET_WORDS.has(p));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A URL fit for output files: no userinfo, no fragment, and credential-like query values masked. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '<unparseable url>';
  }
  if (url.username) url.username = 'REDACTED';
  if (url.password) url.password = '';
  url.hash = ''; // a fragment never reaches the server, and may carry a token (#access_token=...)
  // Rebuilt by hand so the parameters that are kept stay exactly as written.
  url.search = url.search
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && isSecretName(name) ? `${name}=REDACTED` : pair;
    })
    .join('&');
  return url.toString();
}
