import seedrandom from 'seedrandom';

/** A seeded uniform [0, 1) source. Every random draw in clinsim comes from one of these. */
export interface Rng {
  (): number;
  /** 32-bit signed integer, for seeding other generators (e.g. faker). */
  int32(): number;
}

/**
 * Builds a stream from a list of key parts. The key names the purpose of the stream, so that
 * patient i of a task is derived from (seed, task, i) alone: identical whatever the cohort size,
 * order, concurrency or shard.
 */
export function stream(...key: ReadonlyArray<string | number>): Rng {
  const prng = seedrandom.alea(key.join('\u001f'));
  const rng = (() => prng()) as Rng;
  rng.int32 = () => prng.int32();
  return rng;
}

/** The stream patient `index` of `task` is generated from. */
export function patientStream(seed: number, task: string, index: number): Rng {
  return stream('patient', seed, task, index);
}

/** The stream of perturbation number `position` of an arm, for patient `index`. */
export function perturbationStream(seed: number, arm: string, position: number, index: number): Rng {
  return stream('perturbation', seed, arm, position, index);
}

/** Standard normal draw (Box–Muller; one value per call keeps streams position-independent). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  // 1 - u lies in (0, 1]: log() stays finite and every call takes exactly two draws.
  const u = 1 - rng();
  const v = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function bernoulli(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** Draws an index from unnormalised weights. */
export function categorical(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let u = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
