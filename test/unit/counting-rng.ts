import type { Rng } from '../../simulator/random.ts';

/** The same stream, counting its draws: tests check how many numbers a generator or perturbation takes. */
export function counting(inner: Rng): { rng: Rng; draws: () => number } {
  let n = 0;
  const rng = (() => {
    n++;
    return inner();
  }) as Rng;
  rng.int32 = () => {
    n++;
    return inner.int32();
  };
  return { rng, draws: () => n };
}
