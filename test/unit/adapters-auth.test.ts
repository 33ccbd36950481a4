import { describe, expect, it } from 'vitest';
import { authHeaders, missingCredential } from '../../adapters/auth.ts';

describe('authHeaders', () => {
  it('reads a bearer token or an API-key header from the named variable', () => {
    expect(authHeaders({ bearerEnv: 'T' }, { T: 'tok-1' })).toEqual({ authorization: 'Bearer tok-1' });
    expect(authHeaders({ header: 'X-API-Key', valueEnv: 'K' }, { K: 'k-2' })).toEqual({ 'x-api-key': 'k-2' });
    expect(authHeaders(undefined, {})).toEqual({});
  });

  it('reports an unset or empty variable by name and field', () => {
    const unset = missingCredential({ bearerEnv: 'MODEL_TOKEN' }, {});
    expect(unset).toMatchObject({ variable: 'MODEL_TOKEN', field: 'bearerEnv', problem: 'unset', message: 'environment variable MODEL_TOKEN is not set' });
    expect(missingCredential({ header: 'X-API-Key', valueEnv: 'K' }, { K: '' })).toMatchObject({ field: 'valueEnv', problem: 'unset' });
    expect(missingCredential({ bearerEnv: 'T' }, { T: 'fine' })).toBeUndefined();
  });

  it('refuses a value that cannot go in a header, without quoting it', () => {
    for (const bad of ['sec\nret', 'secret\r\n', 'nul\0', 'euro€']) {
      const problem = missingCredential({ bearerEnv: 'T' }, { T: bad });
      expect(problem).toMatchObject({ variable: 'T', problem: 'not-a-header-value' });
      expect(problem!.message).not.toContain(bad.trim());
      expect(() => authHeaders({ bearerEnv: 'T' }, { T: bad })).toThrow(/cannot be sent in an HTTP header/);
    }
    expect(missingCredential({ bearerEnv: 'T' }, { T: 'tab\tand space ok' })).toBeUndefined();
  });
});
