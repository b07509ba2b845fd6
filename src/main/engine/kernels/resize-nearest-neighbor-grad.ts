// ResizeNearestNeighborGrad for wasm, replacing the backend's own, which disagrees with the CPU backend (relative
// error ≈ 2 on a plain 2× upsample; found by the backbone gradient test on DarkNet-tiny's route upsampling). The
// gradient is the exact adjoint of the forward resize: every output pixel adds its dy to the source pixel the forward
// kernel copied it from, with the forward kernel's own index rule (align corners / half-pixel centres).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { alloc, heap, type BackendWasm } from './wasm-ops.js'

/** Source index of each output index along one axis, as TF.js's ResizeNearestNeighbor computes it. */
export function nearestSources(oldSize: number, newSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const effectiveIn = alignCorners && newSize > 1 ? oldSize - 1 : oldSize
  const effectiveOut = alignCorners && newSize > 1 ? newSize - 1 : newSize
  const ratio = effectiveIn / effectiveOut
  const out = new Int32Array(newSize)
  for (let i = 0; i < newSize; i++) {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i
    let src = Math.min(oldSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac))
    if (halfPixelCenters) src = Math.max(0, src)
    out[i] = src
  }
  return out
}

export const resizeNearestNeighborGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo }
  const { alignCorners, halfPixelCenters } = attrs as { alignCorners: boolean; halfPixelCenters: boolean }
  const [batch, oldH, oldW, C] = images.shape
  const [, newH, newW] = dy.shape
  const rows = nearestSources(oldH, newH, alignCorners, halfPixelCenters)
  const cols = nearestSources(oldW, newW, alignCorners, halfPixelCenters)
  const dx = alloc(b, images.shape)
  const out = heap(b, dx)
  const g = heap(b, dy)
  out.fill(0)
  let gi = 0
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < newH; r++) {
      const rowBase = (n * oldH + rows[r]) * oldW
      for (let c = 0; c < newW; c++) {
        const o = (rowBase + cols[c]) * C
        for (let k = 0; k < C; k++) out[o + k] += g[gi++]
      }
    }
  }
  return dx
}

export const resizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad',
  backendName: 'wasm',
  kernelFunc: resizeNearestNeighborGrad,
}
