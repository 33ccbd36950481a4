import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { RateLimiter } from '../../simulator/run/rate-limiter.ts';

/** A clock the test moves by hand. */
function manualClock(start = 0): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => void (t = v) };
}

/**
 * Drives a limiter by hand: callers arrive at the given times and queue; each takes the next
 * token as soon as tryTake allows. Returns the start times.
 */
function simulate(limiter: RateLimiter, clock: ReturnType<typeof manualClock>, arrivals: readonly number[]): number[] {
  const starts: number[] = [];
  let t = 0;
  let queued = 0;
  let next = 0;
  while (starts.length < arrivals.length) {
    while (next < arrivals.length && arrivals[next]! <= t) (queued++, next++);
    clock.set(t);
    const wait = queued > 0 ? limiter.tryTake() : Number.POSITIVE_INFINITY;
    if (wait === 0) {
      starts.push(t);
      queued--;
      continue;
    }
    t = Math.min(t + wait, arrivals[next] ?? Number.POSITIVE_INFINITY);
  }
  return starts;
}

describe('RateLimiter', () => {
  it('spaces starts 1/rate apart when callers ask together', () => {
    const clock = manualClock(1000);
    const limiter = new RateLimiter(10, 1, clock.now);
    expect(simulate(limiter, clock, [0, 0, 0, 0, 0].map((t) => t + 1000))).toEqual([1000, 1100, 1200, 1300, 1400]);
  });

  it('says how long until the next token without taking one', () => {
    const clock = manualClock(0);
    const limiter = new RateLimiter(4, 1, clock.now);
    expect(limiter.tryTake()).toBe(0);
    clock.set(100);
    expect(limiter.tryTake()).toBeCloseTo(150, 9);
    expect(limiter.tryTake()).toBeCloseTo(150, 9);
    clock.set(250);
    expect(limiter.tryTake()).toBe(0);
  });

  it('does not save up more than the burst while idle', () => {
    const clock = manualClock(0);
    const limiter = new RateLimiter(10, 1, clock.now);
    clock.set(5_000);
    expect([limiter.tryTake(), limiter.tryTake() > 0]).toEqual([0, true]);
    const bursty = new RateLimiter(10, 3, clock.now);
    expect(simulate(bursty, clock, [5_000, 5_000, 5_000, 5_000, 5_000])).toEqual([5_000, 5_000, 5_000, 5_100, 5_200]);
    clock.set(60_000);
    expect([bursty.tryTake(), bursty.tryTake(), bursty.tryTake(), bursty.tryTake() > 0]).toEqual([0, 0, 0, true]);
  });

  it('never starts more than burst + rate × window calls in any window (random arrivals)', () => {
    const random = seedrandom('rate');
    for (const [rate, burst] of [[20, 1], [7.5, 1], [50, 4]] as const) {
      const clock = manualClock(0);
      const limiter = new RateLimiter(rate, burst, clock.now);
      const arrivals: number[] = [];
      let t = 0;
      for (let i = 0; i < 400; i++) {
        t += random() < 0.3 ? random() * 500 : 0; // groups of simultaneous callers, then pauses
        arrivals.push(t);
      }
      const starts = simulate(limiter, clock, arrivals);
      for (const windowMs of [100, 250, 1000]) {
        let worst = 0;
        for (let i = 0, j = 0; i < starts.length; i++) {
          while (starts[i]! - starts[j]! >= windowMs) j++;
          worst = Math.max(worst, i - j + 1);
        }
        expect({ rate, burst, windowMs, within: worst <= burst + Math.ceil((rate * windowMs) / 1000) }).toEqual({ rate, burst, windowMs, within: true });
      }
    }
  });

  it('lets waiters go one token at a time, first come first served, in real time', async () => {
    const limiter = new RateLimiter(50);
    const started: number[] = [];
    const order: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => limiter.acquire().then(() => (started.push(performance.now() - t0), order.push(i)))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    // 20 ms apart; a timer may fire a fraction of a millisecond early by performance.now().
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(19);
  });

  it('returns early when the signal aborts, and the next waiter keeps its turn', async () => {
    const limiter = new RateLimiter(2); // one start every 500 ms
    await limiter.acquire();
    const controller = new AbortController();
    const t0 = performance.now();
    const aborted = limiter.acquire(controller.signal).then(() => performance.now() - t0);
    const next = limiter.acquire().then(() => performance.now() - t0);
    setTimeout(() => controller.abort(), 20);
    expect(await aborted).toBeLessThan(400);
    // The aborted waiter left the queue without a token: the next one goes at the next token.
    expect(await next).toBeGreaterThanOrEqual(480);
    expect(await next).toBeLessThan(2_000);
  });

  it('rejects a rate or burst that cannot be kept', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new RateLimiter(rate)).toThrow(RangeError);
    for (const burst of [0, 1.5, -2]) expect(() => new RateLimiter(1, burst)).toThrow(RangeError);
  });
});

describe('RateLimiter timer', () => {
  it('does not keep the process alive while a waiter waits (Ctrl-C exits at once at a low rate)', async () => {
    const limiter = new RateLimiter(0.1);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    // The pending timer is private; read through unknown, as only this test needs it.
    const timer = (limiter as unknown as { timer: NodeJS.Timeout | undefined }).timer;
    expect(timer).toBeDefined();
    expect(timer!.hasRef()).toBe(false);
    controller.abort();
    await waiting;
  });
});
