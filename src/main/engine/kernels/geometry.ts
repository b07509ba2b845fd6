// The numbers every convolution gradient needs, taken from TF.js's own shape logic (computeConv2DInfo) so that our
// kernels and the forward kernels agree on output sizes and padding for 'same', 'valid', explicit pads and rounding.
import { backend_util } from '@tensorflow/tfjs-core'
import { pair } from './wasm-ops.js'

export interface ConvGeometry {
  batch: number
  inH: number
  inW: number
  inC: number
  outH: number
  outW: number
  outC: number
  kH: number
  kW: number
  strideH: number
  strideW: number
  dilH: number
  dilW: number
  padTop: number
  padLeft: number
  padBottom: number
  padRight: number
}

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding

export function convGeometry(
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    pair(dilations),
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  )
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilH: info.dilationHeight,
    dilW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  }
}
