/** A small seeded random number generator (mulberry32), so shuffles and splits are repeatable. */

/** A function returning uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: 32-bit state, period 2^32, good enough for shuffling and sampling.
 * @example const rng = seededRng(42); rng() // same sequence for the same seed
 */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
