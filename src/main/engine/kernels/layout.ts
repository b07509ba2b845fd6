// Plain loops over the wasm heap for the data movement around the gradient matmuls and convolutions. Each is a single
// pass over memory; the wasm backend's generic Transpose/DepthToSpace kernels are far slower for these access patterns
// (docs/engine.md#data-movement), and BatchMatMul is only fast (XNNPACK) with neither operand transposed — so
// the patch matrix is written here directly in the layout the fast path wants.
import type { ConvGeometry } from './geometry.js'
import type { simdFor } from './simd.js'

/** The SIMD functions and the byte addresses of x and the patch matrix, for gatherPatchesTransposed's fast path. */
export interface SimdGather {
  simd: NonNullable<ReturnType<typeof simdFor>>
  x: number
  out: number
}

/**
 * Image patches of images [n0, n1), transposed: row (kh·kW + kw)·inC + ci, column m = ((n−n0)·outH + oh)·outW + ow,
 * holding x[n, oh·sH + kh·dH − padTop, ow·sW + kw·dW − padLeft, ci], or 0 outside the image. Multiplying this
 * [kH·kW·inC, M] matrix by dy as [M, outC] gives the filter gradient directly in [kH, kW, inC, outC] layout.
 */
export function gatherPatchesTransposed(x: Float32Array, out: Float32Array, g: ConvGeometry, n0: number, n1: number, fast?: SimdGather): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft } = g
  const M = (n1 - n0) * outH * outW
  // The valid ow range for each kw, so the inner loop has no bounds checks.
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const colOffset = kw * dilW - padLeft
      const owStart = Math.min(outW, Math.max(0, Math.ceil(-colOffset / strideW)))
      const owEnd = Math.max(owStart, Math.min(outW, Math.floor((inW - 1 - colOffset) / strideW) + 1))
      const rowBase = (kh * kW + kw) * inC * M
      for (let n = n0; n < n1; n++) {
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH + kh * dilH - padTop
          const mBase = ((n - n0) * outH + oh) * outW
          if (ih < 0 || ih >= inH) {
            for (let ci = 0; ci < inC; ci++) out.fill(0, rowBase + ci * M + mBase, rowBase + ci * M + mBase + outW)
            continue
          }
          const xRow = (n * inH + ih) * inW * inC
          // Groups of 4 pixels × 4 channels transposed in SIMD registers; the columns left over (and everything, without
          // SIMD) go one value at a time.
          let from = owStart
          if (fast && inC % 4 === 0 && owEnd - owStart >= 4) {
            const quads = (owEnd - owStart) >> 2
            const x0 = fast.x + (xRow + (owStart * strideW + colOffset) * inC) * 4
            fast.simd.gatherQuads(x0, strideW * inC * 4, fast.out + (rowBase + mBase + owStart) * 4, M * 4, quads, inC / 4)
            from = owStart + 4 * quads
          }
          for (let ci = 0; ci < inC; ci++) {
            const o = rowBase + ci * M + mBase
            for (let ow = 0; ow < owStart; ow++) out[o + ow] = 0
            let xi = xRow + (from * strideW + colOffset) * inC + ci
            const step = strideW * inC
            for (let ow = from; ow < owEnd; ow++, xi += step) out[o + ow] = x[xi]
            for (let ow = owEnd; ow < outW; ow++) out[o + ow] = 0
          }
        }
      }
    }
  }
}

/**
 * The adjoint of patch gathering: add each row of `cols` ([M, kH·kW·inC], rows for images [n0, n1)) back into the
 * input-shaped `dx` at the pixels that patch was read from. `dx` must be zeroed (or hold earlier chunks) beforehand.
 */
export function scatterPatchesAdd(cols: Float32Array, dx: Float32Array, g: ConvGeometry, n0: number, n1: number): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft } = g
  const rowLen = kH * kW * inC
  let c = 0
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, c += rowLen) {
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * strideH + kh * dilH - padTop
          if (ih < 0 || ih >= inH) continue
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * strideW + kw * dilW - padLeft
            if (iw < 0 || iw >= inW) continue
            const xi = ((n * inH + ih) * inW + iw) * inC
            const ci0 = c + (kh * kW + kw) * inC
            for (let ci = 0; ci < inC; ci++) dx[xi + ci] += cols[ci0 + ci]
          }
        }
      }
    }
  }
}

/**
 * Spread dy [N, outH, outW, C] over a zeroed [N, H, W, C] grid: dy[n, i, j] lands at (top + i·sH, left + j·sW);
 * positions outside the grid are dropped. A transposed convolution is a plain (stride 1, 'valid') convolution of this
 * grid with the spatially flipped filter.
 */
export function spreadInto(
  dy: Float32Array,
  dyShape: number[],
  out: Float32Array,
  H: number,
  W: number,
  strideH: number,
  strideW: number,
  top: number,
  left: number,
): void {
  const [N, outH, outW, C] = dyShape
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < outH; i++) {
      const h = top + i * strideH
      if (h < 0 || h >= H) continue
      for (let j = 0; j < outW; j++) {
        const w = left + j * strideW
        if (w < 0 || w >= W) continue
        const src = ((n * outH + i) * outW + j) * C
        out.set(dy.subarray(src, src + C), ((n * H + h) * W + w) * C)
      }
    }
  }
}

/** W [kH, kW, inC, outC] → [kH, kW, outC, inC], flipped in both spatial axes: the filter of the transposed conv. */
export function flipFilterForInputGrad(w: Float32Array, kH: number, kW: number, inC: number, outC: number): Float32Array {
  const out = new Float32Array(w.length)
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * inC * outC
      const dst = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * outC * inC
      for (let ci = 0; ci < inC; ci++) for (let co = 0; co < outC; co++) out[dst + co * inC + ci] = w[src + ci * outC + co]
    }
  }
  return out
}

/** A [rows, cols] matrix transposed to [cols, rows]. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]
  return out
}

/** Depthwise filter [kH, kW, C, m] flipped in both spatial axes (same layout, read as [kH, kW, C·m, 1]). */
export function flipSpatial(w: Float32Array, kH: number, kW: number, depth: number): Float32Array {
  const out = new Float32Array(w.length)
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * depth
      out.set(w.subarray(src, src + depth), ((kH - 1 - kh) * kW + (kW - 1 - kw)) * depth)
    }
  }
  return out
}
