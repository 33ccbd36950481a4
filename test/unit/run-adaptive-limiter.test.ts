import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, type LimitChange, type Permit } from '../../simulator/run/adaptive-limiter.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

async function take(limiter: AdaptiveLimiter, n: number): Promise<Permit[]> {
  return Promise.all(Array.from({ length: n }, () => limiter.enter()));
}

/** A limiter whose limit changes are recorded. */
function observed(capacity: number): { limiter: AdaptiveLimiter; changes: LimitChange[] } {
  const changes: LimitChange[] = [];
  return { limiter: new AdaptiveLimiter(capacity, (c) => changes.push(c)), changes };
}

describe('AdaptiveLimiter', () => {
  it('starts at its capacity and holds the next attempt back', async () => {
    const { limiter } = observed(3);
    const held = await take(limiter, 3);
    expect(limiter.limit).toBe(3);
    expect(limiter.inFlight).toBe(3);
    let fourth = false;
    const pending = limiter.enter().then((p) => ((fourth = true), p));
    await tick();
    expect(fourth).toBe(false);
    held[0]!.done('answered');
    expect((await pending) && fourth).toBe(true);
  });

  it('halves the limit on a 429, once per generation of attempts', async () => {
    const { limiter, changes } = observed(8);
    const first = await take(limiter, 8);
    // All eight were throttled together: they answered one load, so the limit halves once.
    for (const p of first) p.done('throttled');
    expect(limiter.limit).toBe(4);
    // In flight counts the attempt that reported: the limit moves before its slot is freed.
    expect(changes).toEqual([{ limit: 4, inFlight: 8, reason: 'throttled' }]);
    // Attempts started under the lowered limit are a new generation: their 429 halves it again.
    const second = await take(limiter, 4);
    second[0]!.done('throttled');
    expect(limiter.limit).toBe(2);
    for (const p of second.slice(1)) p.done('throttled');
    expect(limiter.limit).toBe(2);
    const third = await take(limiter, 2);
    third[1]!.done('throttled');
    expect(limiter.limit).toBe(1);
    third[0]!.done('other');
    // At the floor a further 429 changes nothing and is not reported as a change.
    const fourth = await take(limiter, 1);
    fourth[0]!.done('throttled');
    expect(limiter.limit).toBe(1);
    expect(changes.map((c) => c.limit)).toEqual([4, 2, 1]);
    expect({ decreases: limiter.decreases, lowest: limiter.lowest }).toEqual({ decreases: 3, lowest: 1 });
  });

  it('recovers by one after as many answers as the limit, up to its capacity and no further', async () => {
    const { limiter, changes } = observed(8);
    const [p] = await take(limiter, 1);
    p!.done('throttled');
    (await take(limiter, 1))[0]!.done('throttled');
    (await take(limiter, 1))[0]!.done('throttled');
    expect(limiter.limit).toBe(1);
    const limits: number[] = [];
    for (let i = 0; i < 40; i++) {
      (await limiter.enter()).done('answered');
      limits.push(limiter.limit);
    }
    // 1 answer to reach 2, 2 more to reach 3, …, 7 more to reach 8: 28 answers in all.
    expect(limits.indexOf(2)).toBe(0);
    expect(limits.indexOf(3)).toBe(2);
    expect(limits.indexOf(8)).toBe(27);
    expect(Math.max(...limits)).toBe(8);
    expect(limiter.increases).toBe(7);
    expect(changes.filter((c) => c.reason === 'recovered').map((c) => c.limit)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('is not moved by failures that are not a 429', async () => {
    const { limiter, changes } = observed(4);
    for (const p of await take(limiter, 4)) p.done('other');
    expect(limiter.limit).toBe(4);
    expect(changes).toEqual([]);
  });

  it('counts answers towards recovery only after the last decrease', async () => {
    const { limiter } = observed(8);
    const early = await take(limiter, 6);
    early[0]!.done('throttled'); // 8 → 4
    for (const p of early.slice(1, 4)) p.done('answered'); // three answers at limit 4
    (await limiter.enter()).done('throttled'); // a new generation: 4 → 2, the count starts over
    expect(limiter.limit).toBe(2);
    for (const p of early.slice(4)) p.done('other');
    (await limiter.enter()).done('answered');
    expect(limiter.limit).toBe(2);
    (await limiter.enter()).done('answered');
    expect(limiter.limit).toBe(3);
  });

  it('lets running attempts finish after a decrease and admits new ones only below the new limit', async () => {
    const { limiter } = observed(8);
    const held = await take(limiter, 8);
    held[0]!.done('throttled');
    expect(limiter.limit).toBe(4);
    expect(limiter.inFlight).toBe(7);
    let admitted = false;
    const next = limiter.enter().then((p) => ((admitted = true), p));
    for (const p of held.slice(1, 4)) p.done('other');
    await tick();
    expect(limiter.inFlight).toBe(4);
    expect(admitted).toBe(false);
    held[4]!.done('other');
    await tick();
    expect(admitted).toBe(true);
    expect(limiter.inFlight).toBe(4);
    (await next).done('answered');
    for (const p of held.slice(5)) p.done('other');
    expect(limiter.inFlight).toBe(0);
  });

  it('ignores a second done on the same permit', async () => {
    const { limiter } = observed(2);
    const [a, b] = (await take(limiter, 2)) as [Permit, Permit];
    a.done('throttled');
    a.done('throttled');
    a.done('answered');
    expect(limiter.limit).toBe(1);
    expect(limiter.inFlight).toBe(1);
    b.done('other');
    expect(limiter.inFlight).toBe(0);
  });
});
