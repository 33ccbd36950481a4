import type { Auth } from '../simulator/targets/index.ts';

/** Why a credential cannot be used: the variable is not set, or its value cannot go in a header. */
export type CredentialProblem = 'unset' | 'not-a-header-value';

/**
 * Thrown when a target's credentials name an environment variable that is not set, or one whose
 * value cannot be sent as an HTTP header. The message names the variable, never its value.
 */
export class MissingCredentialError extends Error {
  override readonly name = 'MissingCredentialError';
  constructor(
    readonly variable: string,
    readonly field: 'bearerEnv' | 'valueEnv',
    readonly problem: CredentialProblem = 'unset',
  ) {
    super(
      problem === 'unset'
        ? `environment variable ${variable} is not set`
        : `environment variable ${variable} holds a value that cannot be sent in an HTTP header (a control or non-Latin-1 character, e.g. a trailing newline)`,
    );
  }
}

/**
 * RFC 9110 field-value characters: visible ASCII, space, tab and obs-text. Checked here because
 * fetch's own rejection quotes the offending value in its message, which would carry the secret
 * into the journal's `error` field.
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The headers that carry a target's credentials, read from the environment at call setup. The
 * values live only in these headers: nothing else keeps them, so no output file can contain them.
 */
export function authHeaders(auth: Auth | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!auth) return {};
  if ('bearerEnv' in auth) return { authorization: `Bearer ${read(env, auth.bearerEnv, 'bearerEnv')}` };
  return { [auth.header.toLowerCase()]: read(env, auth.valueEnv, 'valueEnv') };
}

/** The first problem with a target's credentials (unset or unusable variable), if any. */
export function missingCredential(auth: Auth | undefined, env: NodeJS.ProcessEnv = process.env): MissingCredentialError | undefined {
  try {
    authHeaders(auth, env);
    return undefined;
  } catch (error) {
    if (error instanceof MissingCredentialError) return error;
    throw error;
  }
}

function read(env: NodeJS.ProcessEnv, name: string, field: 'bearerEnv' | 'valueEnv'): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingCredentialError(name, field);
  if (!HEADER_VALUE.test(value)) throw new MissingCredentialError(name, field, 'not-a-header-value');
  return value;
}
