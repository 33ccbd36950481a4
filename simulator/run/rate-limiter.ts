/**
 * A token bucket over call starts: `perSecond` tokens a second, at most `burst` saved up (with the
 * default 1, starts are spaced 1/perSecond apart). Waiters are served first come, first served.
 *
 * Tokens are counted at the moment a waiter is let go, not booked in advance: should the event
 * loop stall, the callers held up go out one token at a time afterwards instead of all at once,
 * so the rate is a ceiling on the wire too (a stall costs throughput, never a burst).
 */
export class RateLimiter {
  private readonly interval: number;
  private tokens: number;
  private refilledAt: number;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly perSecond: number,
    readonly burst = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`perSecond must be a positive number, got ${perSecond}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be a positive integer, got ${burst}`);
    this.interval = 1000 / perSecond;
    this.tokens = burst;
    this.refilledAt = now();
  }

  /**
   * Takes a token if one is there (returns 0), else says how many milliseconds until one is. Does
   * not queue: `acquire` is the waiting form.
   */
  tryTake(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) / this.interval);
    this.refilledAt = now;
    // A hair of tolerance: a timer set for exactly the missing fraction must find a whole token.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens = Math.max(0, this.tokens - 1);
      return 0;
    }
    return (1 - this.tokens) * this.interval;
  }

  /** Waits for a token; returns early (without one) when the signal aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    if (this.waiting.length === 0 && this.tryTake() === 0) return;
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve();
      };
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (this.waiting.length > 0) {
      const wait = this.tryTake();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.ceil(wait));
        // A waiter is someone else's pending promise, not a reason to keep the process up: after
        // Ctrl-C a low rate would otherwise hold the exit for up to 1/perSecond seconds.
        this.timer.unref();
        return;
      }
      this.waiting.shift()!();
    }
  }
}
