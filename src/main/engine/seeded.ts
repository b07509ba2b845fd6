// Repeatable initial weights. tfjs-layers' initializers take no seed from the model builders, and TF.js seeds each
// unseeded random op from Math.random — so running a (synchronous) build with Math.random replaced by a seeded
// generator makes every initial weight a function of the seed: the same preset exports to the same files, and a test
// compares the same network every run.

/** Run `build` with Math.random replaced by a seeded generator (restored after, even on a throw). */
export function withSeededRandom<T>(seed: number, build: () => T): T {
  const original = Math.random
  // mulberry32: small, fast, and good enough to seed TF.js's own generators.
  let state = seed >>> 0
  Math.random = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  try {
    return build()
  } finally {
    Math.random = original
  }
}
