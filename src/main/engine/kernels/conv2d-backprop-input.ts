// Conv2DBackpropInput for wasm, replacing the backend's own: that one is a plain C++ loop, this one uses XNNPACK. The
// input gradient is the transposed convolution of dy with the filter: at stride 1 an XNNPACK Conv2D of dy with the
// flipped, in/out-swapped filter; at stride > 1 one matrix product and a scatter-add (col2im), which does only the useful
// multiply-adds (`inputGradBySpreading`, s² times as many, is kept for the benchmark's comparison). Details and
// measurements: docs/engine.md#conv2dbackpropinput.
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { convGeometry, type ConvGeometry } from './geometry.js'
import { flipFilterForInputGrad, scatterPatchesAdd, spreadInto, transpose2d } from './layout.js'
import { alloc, free, fromValues, heap, imagesPerChunk, requireNHWC, rowsOf, run, type BackendWasm } from './wasm-ops.js'

// TF.js's type has no dilations: its conv gradients refuse dilation > 1; we honour them when given.
type Attrs = Conv2DBackpropInputAttrs & { dilations?: number | [number, number] }

export type InputGradStrategy = 'auto' | 'col2im' | 'spread'

export function conv2DBackpropInputWith(strategy: InputGradStrategy): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo }
    const { strides, pad, dataFormat, dimRoundingMode, inputShape, dilations } = attrs as unknown as Attrs
    requireNHWC('Conv2DBackpropInput', dataFormat)
    const g = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, false)
    const strided = g.strideH > 1 || g.strideW > 1
    if (strategy === 'col2im' || (strategy === 'auto' && strided)) return inputGradByCol2im(b, dy, filter, g)
    return inputGradBySpreading(b, dy, filter, g)
  }
}

/** The transposed conv as a stride-1 Conv2D over dy spread out by the stride and padded (no spreading at stride 1). */
export function inputGradBySpreading(b: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const extentH = (g.kH - 1) * g.dilH + 1
  const extentW = (g.kW - 1) * g.dilW + 1
  const top = extentH - 1 - g.padTop
  const left = extentW - 1 - g.padLeft
  // Grid size such that a 'valid' conv with the flipped filter yields exactly inH × inW.
  const gridH = g.inH + extentH - 1
  const gridW = g.inW + extentW - 1
  const flipped = fromValues(b, [g.kH, g.kW, g.outC, g.inC], flipFilterForInputGrad(heap(b, filter), g.kH, g.kW, g.inC, g.outC))
  const bottom = gridH - top - ((g.outH - 1) * g.strideH + 1)
  const right = gridW - left - ((g.outW - 1) * g.strideW + 1)
  let source = dy
  let pads: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]
  if (g.strideH > 1 || g.strideW > 1 || top < 0 || left < 0 || bottom < 0 || right < 0) {
    // Conv2D pads cannot be negative and cannot spread: build the padded grid ourselves.
    source = alloc(b, [g.batch, gridH, gridW, g.outC])
    const grid = heap(b, source)
    grid.fill(0)
    spreadInto(heap(b, dy), dy.shape, grid, gridH, gridW, g.strideH, g.strideW, top, left)
    pads = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]
  }
  const dx = run(
    b,
    'Conv2D',
    { x: source, filter: flipped },
    {
      strides: [1, 1],
      pad: pads,
      dataFormat: 'NHWC',
      dilations: [g.dilH, g.dilW],
      dimRoundingMode: undefined,
    },
  )
  free(b, flipped)
  if (source !== dy) free(b, source)
  return dx
}

/** col2im: one XNNPACK matrix product, then a scatter-add of the patches back onto the input grid. */
export function inputGradByCol2im(b: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const rowLen = g.kH * g.kW * g.inC
  const pixels = g.outH * g.outW
  const wT = fromValues(b, [1, g.outC, rowLen], transpose2d(heap(b, filter), rowLen, g.outC))
  const dx = alloc(b, [g.batch, g.inH, g.inW, g.inC])
  heap(b, dx).fill(0)
  const chunk = imagesPerChunk(g.batch, rowLen * pixels)
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const n1 = Math.min(g.batch, n0 + chunk)
    const M = (n1 - n0) * pixels
    const dyRows = rowsOf(b, dy, n0, n1, g.batch, pixels * g.outC, [1, M, g.outC])
    const cols = run(b, 'BatchMatMul', { a: dyRows, b: wT }, { transposeA: false, transposeB: false })
    scatterPatchesAdd(heap(b, cols), heap(b, dx), g, n0, n1)
    free(b, cols)
    if (dyRows.dataId !== dy.dataId) free(b, dyRows)
  }
  free(b, wT)
  return dx
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWith('auto'),
}
