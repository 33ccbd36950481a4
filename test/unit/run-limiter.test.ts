import { describe, expect, it } from 'vitest';
import { Limiter } from '../../simulator/run/limiter.ts';

/** A promise resolved from outside, to hold a task open. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('Limiter', () => {
  it('never runs more than capacity tasks at once', async () => {
    const limiter = new Limiter(3);
    let inFlight = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, (i * 7) % 5));
          inFlight--;
          return i * 2;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('starts waiting tasks first come, first served', async () => {
    const limiter = new Limiter(1);
    const started: number[] = [];
    const holds = Array.from({ length: 5 }, () => gate());
    const runs = holds.map((h, i) =>
      limiter.run(async () => {
        started.push(i);
        await h.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0]);
    // Release out of order: the waiters still start in the order they queued.
    holds[0]!.open();
    await tick();
    expect(started).toEqual([0, 1]);
    holds[3]!.open();
    holds[2]!.open();
    holds[1]!.open();
    await tick();
    await tick();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    holds[4]!.open();
    await Promise.all(runs);
  });

  it('holds a task back until a slot frees', async () => {
    const limiter = new Limiter(2);
    const a = gate();
    const b = gate();
    let thirdStarted = false;
    const runs = [limiter.run(() => a.promise), limiter.run(() => b.promise), limiter.run(async () => void (thirdStarted = true))];
    await tick();
    expect(thirdStarted).toBe(false);
    b.open();
    await tick();
    expect(thirdStarted).toBe(true);
    a.open();
    await Promise.all(runs);
  });

  // A freed slot must go straight to the next waiter, or a run() called between the release and
  // the waiter's continuation would jump the queue and exceed the capacity.
  it('keeps capacity and FIFO order for a task queued while a slot is being handed over', async () => {
    // The window is a couple of microtasks wide; probe every offset around it.
    for (let hops = 0; hops <= 5; hops++) {
      const limiter = new Limiter(1);
      let inFlight = 0;
      let peak = 0;
      const started: string[] = [];
      const task = (name: string) => async () => {
        started.push(name);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      };
      const first = gate();
      const runs = [
        limiter.run(async () => {
          inFlight++;
          await first.promise;
          inFlight--;
        }),
        limiter.run(task('queued')),
      ];
      await tick();
      first.open();
      for (let i = 0; i < hops; i++) await Promise.resolve();
      runs.push(limiter.run(task('late')));
      await Promise.all(runs);
      expect({ hops, peak, started }).toEqual({ hops, peak: 1, started: ['queued', 'late'] });
    }
  });

  it('releases the slot when a task throws, and passes the error on', async () => {
    const limiter = new Limiter(1);
    const failing = limiter.run(async () => {
      throw new Error('model exploded');
    });
    const after = limiter.run(async () => 'next');
    await expect(failing).rejects.toThrow('model exploded');
    await expect(after).resolves.toBe('next');
    // Still one slot, and only one: two more tasks run one after the other.
    let inFlight = 0;
    let peak = 0;
    const task = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight--;
    };
    await Promise.all([limiter.run(task), limiter.run(task)]);
    expect(peak).toBe(1);
  });

  it('releases the slot when a task throws synchronously', async () => {
    const limiter = new Limiter(1);
    const failing = limiter.run(() => {
      throw new RangeError('sync');
    });
    await expect(failing).rejects.toThrow(RangeError);
    await expect(limiter.run(async () => 1)).resolves.toBe(1);
  });

  it('rejects a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Limiter(capacity)).toThrow(RangeError);
    }
    expect(() => new Limiter(0)).toThrow('capacity must be a positive integer, got 0');
    expect(new Limiter(4).capacity).toBe(4);
  });
});
