import type { Auth } from '../simulator/targets/index.ts';

/** Thrown when a target's credentials name an environment variable that is not set. */
export class MissingCredentialError extends Error {
  override readonly name = 'MissingCredentialError';
  constructor(
    readonly variable: string,
    readonly field: 'bearerEnv' | 'valueEnv',
  ) {
    super(`environment variable ${variable} is not set`);
  }
}

/**
 * The headers that carry a target's credentials, read from the environment at call setup. The
 * values live only in these headers: nothing else keeps them, so no output file can contain them.
 */
export function authHeaders(auth: Auth | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!auth) return {};
  if ('bearerEnv' in auth) return { authorization: `Bearer ${read(env, auth.bearerEnv, 'bearerEnv')}` };
  return { [auth.header.toLowerCase()]: read(env, auth.valueEnv, 'valueEnv') };
}

/** The environment variables a target's credentials need, with the field naming each. */
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
  return value;
}
