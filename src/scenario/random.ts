/** Deterministic pseudo-randomness: a run (or a test) seeded the same way makes the same choices. */

/** Small seeded PRNG (mulberry32): not cryptographic; for the transaction load and reproducible tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
