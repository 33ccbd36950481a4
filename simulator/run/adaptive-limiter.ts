import { Limiter } from './limiter.ts';

/** What an attempt's result says about the target's load. */
export type Congestion = 'answered' | 'throttled' | 'other';

/** A slot held by one attempt; `done` gives it back with what the attempt showed. */
export interface Permit {
  done(result: Congestion): void;
}

export interface LimitChange {
  readonly limit: number;
  readonly inFlight: number;
  readonly reason: 'throttled' | 'recovered';
}

/**
 * A Limiter whose limit follows the target (AIMD, as TCP's congestion window): a `throttled`
 * attempt (HTTP 429) halves it, never below 1; after as many `answered` attempts as the limit, it
 * rises by one, never above the configured capacity. So a throttled target sees the load drop at
 * once and come back gradually.
 *
 * Attempts that were already running when the limit was lowered answered the old load, so their
 * 429s do not lower it again: one halving per generation of attempts, not one per 429 (eight calls
 * throttled together halve the limit once, not eight times down to 1).
 */
export class AdaptiveLimiter extends Limiter {
  private generation = 0;
  private answeredSinceChange = 0;
  /** The lowest limit reached so far. */
  lowest: number;
  decreases = 0;
  increases = 0;

  constructor(
    capacity: number,
    private readonly onChange?: (change: LimitChange) => void,
  ) {
    super(capacity);
    this.lowest = capacity;
  }

  async enter(): Promise<Permit> {
    const release = await this.acquire();
    const generation = this.generation;
    let done = false;
    return {
      done: (result) => {
        if (done) return;
        done = true;
        // The limit moves before the slot is freed, so the slot goes out under the new limit.
        this.observe(result, generation);
        release();
      },
    };
  }

  private observe(result: Congestion, generation: number): void {
    if (result === 'throttled') {
      if (generation !== this.generation) return;
      this.generation++;
      this.answeredSinceChange = 0;
      const lowered = Math.max(1, Math.floor(this.limit / 2));
      if (lowered === this.limit) return;
      this.decreases++;
      this.lowest = Math.min(this.lowest, lowered);
      this.change(lowered, 'throttled');
    } else if (result === 'answered' && this.limit < this.capacity) {
      if (++this.answeredSinceChange < this.limit) return;
      this.answeredSinceChange = 0;
      this.increases++;
      this.change(this.limit + 1, 'recovered');
    }
  }

  private change(limit: number, reason: LimitChange['reason']): void {
    this.setLimit(limit);
    this.onChange?.({ limit, inFlight: this.inFlight, reason });
  }
}
