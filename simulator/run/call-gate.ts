import { AdaptiveLimiter, type LimitChange, type Permit } from './adaptive-limiter.ts';
import { RateLimiter } from './rate-limiter.ts';

export type { Congestion, LimitChange, Permit } from './adaptive-limiter.ts';

/** Where every attempt (retries included) waits for its turn, and reports how it went. */
export interface AttemptGate {
  enter(signal: AbortSignal): Promise<Permit>;
}

export interface TargetGate extends AttemptGate {
  readonly limiter: AdaptiveLimiter;
}

/**
 * The gate of one target's call policy: a concurrency slot (adaptive, adaptive-limiter.ts), then,
 * with `rateLimit`, a start time from a token bucket. The slot comes first so the booked start is
 * the real start: a token booked while still waiting for a slot would be spent late and let the
 * next starts bunch up above the rate.
 */
export function targetGate(
  policy: { readonly concurrency: number; readonly rateLimit?: number | undefined },
  onLimitChange?: (change: LimitChange) => void,
): TargetGate {
  const limiter = new AdaptiveLimiter(policy.concurrency, onLimitChange);
  const rate = policy.rateLimit === undefined ? undefined : new RateLimiter(policy.rateLimit);
  return {
    limiter,
    async enter(signal) {
      const permit = await limiter.enter();
      await rate?.acquire(signal);
      return permit;
    },
  };
}
