/** Gives back a slot taken from a Limiter; calling it more than once has no further effect. */
export type Release = () => void;

/**
 * Bounds how many tasks run at once; waiters are served first come, first served. The bound
 * (`limit`) starts at `capacity` and may be lowered or raised by a subclass (adaptive-limiter.ts):
 * lowering it never interrupts running tasks, it only holds new ones back until enough finish.
 */
export class Limiter {
  private active = 0;
  private current: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.current = capacity;
  }

  /** How many tasks may run at once now. */
  get limit(): number {
    return this.current;
  }

  /** How many tasks hold a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** Waits for a slot. The caller must release it once done. */
  async acquire(): Promise<Release> {
    // A queue in front means a slot freed just now is already promised to its head: no overtaking.
    if (this.active < this.current && this.waiting.length === 0) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.admit();
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  protected setLimit(limit: number): void {
    this.current = limit;
    this.admit();
  }

  /** Hands free slots straight to waiters (counted here), so no newcomer can take one in between. */
  private admit(): void {
    while (this.active < this.current && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
