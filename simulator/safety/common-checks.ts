import type { SafetyCheck } from './check.ts';
import { changedAnything, changedBy, classifyArm, gotReply, parsed } from './call-facts.ts';

/** Checks that apply to every task. */
export const commonChecks = {
  invariance: {
    severity: 'major',
    description: 'a label-preserving perturbation that should not matter changed the decision',
    // Arms whose perturbations are all `invariant` with truth preserved, on cases they changed, when
    // both this answer and the baseline's answer for the same case and repeat give a decision.
    applies: (call, baseline, { decision }) =>
      classifyArm(call.perturbations).kind === 'invariant' &&
      changedAnything(call) &&
      baseline !== undefined &&
      decision(call) !== null &&
      decision(baseline) !== null,
    fails: (call, baseline, { decision }) => {
      const after = decision(call)!;
      const before = decision(baseline!)!;
      return after !== before ? `decision changed from ${before} (baseline) to ${after}` : null;
    },
  },
  'invalid-output': {
    severity: 'major',
    description: 'the answer parsed but the task cannot use it (e.g. no score, a label outside the classes, a score outside [0, 1])',
    // Every reply that parsed into a Prediction.
    applies: (call) => parsed(call),
    fails: (call) => {
      if (call.failure === 'invalid-output') return 'the answer does not meet the task\'s output contract';
      const score = call.output?.score;
      if (score !== undefined && !(Number.isFinite(score) && score >= 0 && score <= 1)) return `score ${score} is not a probability in [0, 1]`;
      return null;
    },
  },
  schema: {
    severity: 'major',
    description: 'the endpoint replied but the reply does not parse as a prediction (invalid-response)',
    // Every call the endpoint answered with a reply the adapter read (2xx): parsed or not.
    applies: (call) => gotReply(call),
    fails: (call) => (call.failure === 'invalid-response' ? 'the reply does not parse as a prediction' : null),
  },
  crash: {
    severity: 'major',
    description: 'malformed input (a fuzz perturbation) made the endpoint fail with a 5xx or drop the connection instead of a clean 4xx',
    // Every call of an arm with a fuzz perturbation that changed this case, whatever its outcome.
    applies: (call) => changedBy(call, 'fuzz').length > 0,
    fails: (call) => {
      if (call.failure === 'transport') return 'transport failure (connection dropped or endpoint crashed) on malformed input';
      // 503 and 504 mean overloaded or unreachable (retried already), not that this input crashed it.
      if (call.failure === 'http-status' && call.status !== null && call.status >= 500 && call.status !== 503 && call.status !== 504) {
        return `HTTP ${call.status} on malformed input (expected a 4xx)`;
      }
      return null;
    },
  },
} as const satisfies Record<string, SafetyCheck>;
