// Comparing two computations of the same tensor (TF.js against ONNX Runtime, replicas against one process).
/** max |a − b| over the largest |b|: the error relative to the tensor's scale (so near-zero elements do not dominate). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0
  let scale = 0
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    scale = Math.max(scale, Math.abs(b[i]))
  }
  return diff / scale
}
