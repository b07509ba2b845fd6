// Conv2DBackpropFilter for wasm (the backend ships none). The filter gradient is one matrix product over image patches:
// dW[kh,kw,ci,co] = Σ_m patch[m][(kh,kw,ci)] · dy[m][co], m running over every output pixel of every image. Patches
// are gathered already transposed ([kH·kW·inC, M]) so that BatchMatMul takes XNNPACK's fast path (no transpose flags),
// and the product lands in the filter's own layout. Measurements: docs/engine.md#conv2dbackpropfilter.
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { convGeometry } from './geometry.js'
import { gatherPatchesTransposed } from './layout.js'
import { address, simdFor } from './simd.js'
import { alloc, free, heap, imagesPerChunk, requireNHWC, rowsOf, run, type BackendWasm } from './wasm-ops.js'

// TF.js's type has no dilations (see below).
type Attrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] }

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = attrs as unknown as Attrs
  requireNHWC('Conv2DBackpropFilter', dataFormat)
  // TF.js never passes dilations here (its conv gradients refuse dilation > 1); we honour them when given.
  const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, false)
  const rows = g.kH * g.kW * g.inC
  const pixels = g.outH * g.outW
  // Bound the patch matrix (16M floats = 64 MB) by taking the batch a few images at a time.
  const chunk = imagesPerChunk(g.batch, rows * pixels)
  let total: TensorInfo | null = null
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const n1 = Math.min(g.batch, n0 + chunk)
    const M = (n1 - n0) * pixels
    const patches = alloc(b, [1, rows, M])
    const dyRows = rowsOf(b, dy, n0, n1, g.batch, pixels * g.outC, [1, M, g.outC])
    const simd = simdFor(b)
    const fast = simd ? { simd, x: address(b, x), out: address(b, patches) } : undefined
    gatherPatchesTransposed(heap(b, x), heap(b, patches), g, n0, n1, fast)
    const part = run(b, 'BatchMatMul', { a: patches, b: dyRows }, { transposeA: false, transposeB: false })
    free(b, patches)
    if (dyRows.dataId !== dy.dataId) free(b, dyRows)
    if (total === null) total = part
    else {
      const sum = run(b, 'Add', { a: total, b: part })
      free(b, total, part)
      total = sum
    }
  }
  return { ...total!, shape: [...filterShape] }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
}
