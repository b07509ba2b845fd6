// MaxPoolGrad for wasm, replacing the backend's own, which is wrong whenever a pooling window holds only negative
// values (it returned a one-hot at the first pixel for a 4×4 input of negatives; found by the backbone gradient test on
// DarkNet-tiny, whose max pools follow leaky ReLUs). Each window's gradient goes to its first maximum — the CPU
// backend's rule — and padding never wins.
import { backend_util, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core'
import { alloc, heap, type BackendWasm } from './wasm-ops.js'

export const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo }
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode)
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info
  const { effectiveFilterHeight: fH, effectiveFilterWidth: fW, dilationHeight: dH, dilationWidth: dW } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  const dx = alloc(b, input.shape)
  const out = heap(b, dx)
  const x = heap(b, input)
  const g = heap(b, dy)
  out.fill(0)
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = oh * strideHeight - top
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = ow * strideWidth - left
        const gBase = ((n * outHeight + oh) * outWidth + ow) * C
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY
          let at = -1
          for (let r = r0; r < r0 + fH; r += dH) {
            if (r < 0 || r >= inHeight) continue
            for (let col = c0; col < c0 + fW; col += dW) {
              if (col < 0 || col >= inWidth) continue
              const i = ((n * inHeight + r) * inWidth + col) * C + c
              if (x[i] > best) {
                best = x[i]
                at = i
              }
            }
          }
          if (at >= 0) out[at] += g[gBase + c]
        }
      }
    }
  }
  return dx
}

export const maxPoolGradConfig: KernelConfig = { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad }
