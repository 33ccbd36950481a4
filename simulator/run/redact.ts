const SECRET_PARAM = /key|token|secret|sig|signature|password|passwd|auth|credential/i;

/** A URL fit for output files: no userinfo, and secret-looking query parameters masked. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '<unparseable url>';
  }
  if (url.username) url.username = 'REDACTED';
  if (url.password) url.password = '';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, 'REDACTED');
  }
  return url.toString();
}
