// Sum and Mean for wasm over the leading axes (every axis but the channels, as batch norm's statistics and gradients,
// and every bias gradient, reduce an NHWC tensor). The backend's own kernels only reduce innermost axes, so for these
// they first transpose the whole tensor with its slow generic Transpose; here one pass adds each row into per-channel
// sums. Sums are kept in float64, as accurate as the CPU backend's or more. Other reductions go to the backend's own.
import { util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core'
import { alloc, builtin, free, heap, run, type BackendWasm } from './wasm-ops.js'

/** Rows per block of the XNNPACK sum: short enough that a float32 running sum stays accurate, long enough to be fast. */
export const ROWS = 512

/** How many leading axes `axis` names, when it names exactly axes 0…k−1 of x and leaves at least one; else 0. */
function leadingAxes(x: TensorInfo, axis: number | number[]): number {
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b)
  if (axes.length === 0 || axes.length >= x.shape.length) return 0
  return axes.every((a, i) => a === i) ? axes.length : 0
}

function reduceLeading(name: 'Sum' | 'Mean'): KernelFunc {
  return (args) => {
    const b = args.backend as BackendWasm
    const { x } = args.inputs as { x: TensorInfo }
    const { axis, keepDims } = args.attrs as unknown as SumAttrs
    const k = x.dtype === 'float32' ? leadingAxes(x, axis) : 0
    if (k === 0) return builtin(name)(args)
    const rows = util.sizeFromShape(x.shape.slice(0, k))
    const inner = util.sizeFromShape(x.shape.slice(k))
    const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k)
    // Whole blocks of ROWS rows are summed by XNNPACK, as a product with a row of ones (one partial sum per block);
    // the partials and the rows left over are added up here in float64.
    // A single block would take BatchMatMul's XNNPACK path (batch 1), which keeps operators with the right operand
    // packed, keyed by tensor: summed that way in a training step, some tensors came out wrong (docs/engine.md; the
    // trigger was not isolated). Two or more blocks take its batched loop, which reads the data every time.
    const blocks = rows >= 2 * ROWS ? Math.floor(rows / ROWS) : 0
    let partials: TensorInfo | null = null
    if (blocks > 0) {
      const ones = alloc(b, [blocks, 1, ROWS])
      heap(b, ones).fill(1)
      // The first blocks·ROWS rows of x, read in place: the kernel reads only as far as the shape says.
      const whole: TensorInfo = { dataId: x.dataId, shape: [blocks, ROWS, inner], dtype: 'float32' }
      partials = run(b, 'BatchMatMul', { a: ones, b: whole }, { transposeA: false, transposeB: false })
      free(b, ones)
    }
    const out = b.makeOutput(outShape, 'float32')
    const acc = new Float64Array(inner)
    if (partials) {
      const ps = heap(b, partials)
      for (let r = 0, i = 0; r < blocks; r++) for (let c = 0; c < inner; c++, i++) acc[c] += ps[i]
    }
    const xs = heap(b, x)
    for (let i = blocks * ROWS * inner; i < rows * inner;) for (let c = 0; c < inner; c++, i++) acc[c] += xs[i]
    if (partials) free(b, partials)
    const count = name === 'Mean' ? rows : 1
    const dst = heap(b, out)
    for (let c = 0; c < inner; c++) dst[c] = acc[c] / count
    return out
  }
}

export const sumConfig: KernelConfig = { kernelName: 'Sum', backendName: 'wasm', kernelFunc: reduceLeading('Sum') }
export const meanConfig: KernelConfig = { kernelName: 'Mean', backendName: 'wasm', kernelFunc: reduceLeading('Mean') }
