/**
 * The runner's input: values 0–255 (the raw pixels a detector expects) of the given shape, the same on every device
 * and every run. They come from a small linear congruential generator so the data has no structure a kernel could
 * take a shortcut on (all zeros might), and tests can compute the very same input in-process.
 */
export function fixedInput(shape: readonly number[]): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1))
  let state = 12345
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    values[i] = state >>> 24
  }
  return values
}
