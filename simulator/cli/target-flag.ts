import { Target } from '../scenario.ts';
import { InputError } from './exit-codes.ts';
import { formatPath } from './issue-path.ts';

/**
 * `--target <url>` or `--target <adapter>+<url>`: which endpoint every scenario of the run calls.
 * A plain URL means the generic http-json adapter.
 */
export function parseTargetFlag(value: string): Target {
  const plus = value.indexOf('+');
  const hasAdapter = plus > 0 && !value.slice(0, plus).includes(':');
  const adapter = hasAdapter ? value.slice(0, plus) : 'http-json';
  const url = hasAdapter ? value.slice(plus + 1) : value;
  if (adapter === 'in-process') throw new InputError(`--target: the in-process adapter is for scenarios written in code, not the command line`);
  const parsed = Target.safeParse({ adapter, url });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`--target ${value}: ${formatPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
