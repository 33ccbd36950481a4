import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { Scenario } from '../scenario.ts';
import type { LoadedScenario } from '../run/execute.ts';
import { InputError } from './exit-codes.ts';
import { missingCredential } from '../../adapters/auth.ts';
import { formatIssues, formatPath } from './issue-path.ts';
import { createAdapter } from '../../adapters/create.ts';
import { duplicateKeys, pathsOfKey, type DuplicateKey } from './duplicate-keys.ts';

export interface ScenarioOverrides {
  readonly seed?: number;
  readonly size?: number;
  /**
   * The CLI's --target replaces the scenario's target: its credentials are never read, so an unset
   * `auth` variable of the scenario's own target is no reason to refuse the run.
   */
  readonly targetReplaced?: boolean;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` in the target's strings with the environment's value; unset names are input errors. */
function interpolateTarget(raw: Record<string, unknown>, file: string, env: NodeJS.ProcessEnv): void {
  const target = raw.target;
  if (typeof target !== 'object' || target === null) return;
  const fields = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    fields[key] = value.replace(ENV_REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new InputError(`${file}: target.${key}: environment variable ${name} is not set`);
      return v;
    });
  }
}

/** zod reports unknown fields once, on their parent; authors look for the field itself. */
function eachUnknownKey(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'unrecognized_keys') return [issue];
  return issue.keys.map((key) => ({ ...issue, path: [...issue.path, key], message: `unknown field "${key}"` }));
}

/** A key written twice, named by its field path in the scenario when it is found there. */
function duplicateProblem(path: string, raw: unknown, d: DuplicateKey): string {
  const where = pathsOfKey(raw, d.key).map(formatPath);
  const lines = d.firstLine === null ? `line ${d.line}` : `lines ${d.firstLine} and ${d.line}`;
  const field = where.length > 0 ? where.join(', ') : `line ${d.line}`;
  return `${path}: ${field}: "${d.key}" is written twice in one object (${lines}); the later one silently replaces the earlier, so give each a distinct name`;
}

/**
 * Imports a scenario module and validates its default export with the same schema as
 * `defineScenario`. Every problem is reported with the file and the field path.
 */
export async function loadScenario(
  path: string,
  overrides: ScenarioOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedScenario> {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`${path}: cannot read scenario file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`${path}: the scenario file failed to load: ${message}`);
  }
  if (typeof module.default !== 'object' || module.default === null) {
    throw new InputError(`${path}: no scenario found; the file must \`export default defineScenario({ … })\``);
  }
  // A shallow copy per level we touch: the module's own object is left as it was.
  const raw: Record<string, unknown> = { ...(module.default as Record<string, unknown>) };
  if (typeof raw.target === 'object' && raw.target !== null) raw.target = { ...raw.target };
  if (typeof raw.cohort === 'object' && raw.cohort !== null) {
    raw.cohort = {
      ...raw.cohort,
      ...(overrides.seed === undefined ? {} : { seed: overrides.seed }),
      ...(overrides.size === undefined ? {} : { size: overrides.size }),
    };
  }
  interpolateTarget(raw, path, env);
  const duplicates = (await duplicateKeys(bytes.toString('utf8'), file)).map((d) => duplicateProblem(path, raw, d));
  const parsed = Scenario.safeParse(raw);
  const problems = parsed.success ? [] : [formatIssues(path, parsed.error.issues.flatMap(eachUnknownKey))];
  if (duplicates.length > 0 || !parsed.success) throw new InputError([...duplicates, ...problems].join('\n'));
  const scenario = parsed.data;
  const target = overrides.targetReplaced ? undefined : scenario.target;
  const missing = missingCredential(target?.auth, env);
  if (missing) throw new InputError(`${path}: target.auth.${missing.field}: ${missing.message}`);
  // A target the adapter cannot be built from (e.g. a malformed response path) is bad input too,
  // found now rather than after the run has started. Adapters connect lazily: nothing is sent.
  if (target) {
    try {
      await createAdapter(target, env).close?.();
    } catch (error) {
      throw new InputError(`${path}: target: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const source = scenario.cohort.source;
  // Data paths in a scenario are relative to the scenario file, wherever the CLI runs from.
  if (source) source.path = resolve(dirname(file), source.path);
  return { scenario, file: path, contentHash: createHash('sha256').update(bytes).digest('hex') };
}
