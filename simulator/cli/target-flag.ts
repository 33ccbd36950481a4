import { TRIAGE_MODEL_NAME } from '../../models/triage/model.ts';
import { Target } from '../scenario.ts';
import { InputError } from './exit-codes.ts';
import { formatPath } from './issue-path.ts';

/** Where `--target openai+<url>` takes its model name from; the reference triage model's name when unset. */
export const OPENAI_MODEL_ENV = 'CLINSIM_OPENAI_MODEL';
/** The key `--target openai+<url>` sends as its bearer when set, as OpenAI's own SDKs do. */
export const OPENAI_KEY_ENV = 'OPENAI_API_KEY';

/**
 * `--target <url>` or `--target <adapter>+<url>`: which endpoint every scenario of the run calls.
 * A plain URL means the generic http-json adapter. An openai target's model is `$CLINSIM_OPENAI_MODEL`
 * (default `clinsim-reference-triage`, what `clinsim models` serves at /v1) and its bearer
 * `$OPENAI_API_KEY` when that is set (by name: the value is read when the run starts, as for any
 * `auth`); a fhir target calls the task's default operation (adapters/fhir.ts).
 */
export function parseTargetFlag(value: string, env: NodeJS.ProcessEnv = process.env): Target {
  const plus = value.indexOf('+');
  const hasAdapter = plus > 0 && !value.slice(0, plus).includes(':');
  const adapter = hasAdapter ? value.slice(0, plus) : 'http-json';
  const url = hasAdapter ? value.slice(plus + 1) : value;
  if (adapter === 'in-process') throw new InputError(`--target: the in-process adapter is for scenarios written in code, not the command line`);
  const openai = { model: env[OPENAI_MODEL_ENV] || TRIAGE_MODEL_NAME, ...(env[OPENAI_KEY_ENV] ? { auth: { bearerEnv: OPENAI_KEY_ENV } } : {}) };
  const parsed = Target.safeParse(adapter === 'openai' ? { adapter, url, ...openai } : { adapter, url });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`--target ${value}: ${formatPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
