// DepthwiseConv2dNativeBackpropInput for wasm (the backend ships none). The transposed depthwise convolution is an
// XNNPACK DepthwiseConv2dNative (stride 1, multiplier 1) over dy — spread out by the stride and padded when needed —
// with the spatially flipped filter seen as [kH, kW, C·m, 1]; with a channel multiplier m > 1 the m contributions to
// each input channel are then summed.
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { convGeometry } from './geometry.js'
import { flipSpatial, spreadInto } from './layout.js'
import { alloc, free, fromValues, heap, run, view, type BackendWasm } from './wasm-ops.js'

export const depthwiseConv2dNativeBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo }
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs
  const g = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true)
  const [kH, kW, C, m] = filter.shape
  const depth = C * m
  const extentH = (kH - 1) * g.dilH + 1
  const extentW = (kW - 1) * g.dilW + 1
  const top = extentH - 1 - g.padTop
  const left = extentW - 1 - g.padLeft
  const gridH = g.inH + extentH - 1
  const gridW = g.inW + extentW - 1
  const bottom = gridH - top - ((g.outH - 1) * g.strideH + 1)
  const right = gridW - left - ((g.outW - 1) * g.strideW + 1)
  const flipped = fromValues(b, [kH, kW, depth, 1], flipSpatial(heap(b, filter), kH, kW, depth))
  let source = dy
  let pads: number[][] = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]
  if (g.strideH > 1 || g.strideW > 1 || top < 0 || left < 0 || bottom < 0 || right < 0) {
    source = alloc(b, [g.batch, gridH, gridW, depth])
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
  const perCopy = run(
    b,
    'DepthwiseConv2dNative',
    { x: source, filter: flipped },
    {
      strides: [1, 1],
      pad: pads,
      dilations: [g.dilH, g.dilW],
      dimRoundingMode: undefined,
      dataFormat: 'NHWC',
    },
  )
  free(b, flipped)
  if (source !== dy) free(b, source)
  if (m === 1) return perCopy
  const dx = run(b, 'Sum', { x: view(perCopy, [g.batch, g.inH, g.inW, C, m]) }, { axis: [4], keepDims: false })
  free(b, perCopy)
  return dx
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
}
