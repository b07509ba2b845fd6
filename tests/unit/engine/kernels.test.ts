// Gradient parity: every training kernel the engine registers for wasm against the CPU backend's kernel of the same
// name, over random shapes — strides 1–3, 'same' / 'valid' / explicit padding, odd sizes, non-square kernels, batch 1
// and larger, depth multipliers 1–3, dilations — with an error bound relative to the reference's magnitude.
import * as tf from '@tensorflow/tfjs-core'
import { backend_util, getKernel } from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { BATCH_NORM_TRAINING, conv2DBackpropInputWith, limits, trainingKernels } from '../../../src/main/engine/kernels/index.js'
import { simdFor, simdOptions } from '../../../src/main/engine/kernels/simd.js'
import { randomValues, relativeError, rng, runOn, scaledError } from './parity.js'

const TOLERANCE = 2e-5
const CASES = 40

type Pad = 'same' | 'valid' | backend_util.ExplicitPadding

interface ConvCase {
  seed: number
  xShape: [number, number, number, number]
  filterShape: [number, number, number, number]
  strides: [number, number]
  dilations: [number, number]
  pad: Pad
  outShape: number[]
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]
const int = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1))

/** A random convolution whose output is not empty. Depthwise cases use filter [kH, kW, C, multiplier]. */
function randomCase(seed: number, depthwise: boolean, allowDilation: boolean): ConvCase {
  const random = rng(seed)
  for (;;) {
    const batch = pick(random, [1, 1, 2, 3])
    const h = int(random, 3, 13)
    const w = int(random, 3, 13)
    const c = int(random, 1, 5)
    const kH = pick(random, [1, 2, 3, 3, 5])
    const kW = random() < 0.7 ? kH : pick(random, [1, 2, 3])
    const out = depthwise ? int(random, 1, 3) : int(random, 1, 6)
    const dilate = allowDilation && random() < 0.4
    const strides: [number, number] = dilate ? [1, 1] : [pick(random, [1, 2, 2, 3]), pick(random, [1, 2, 2])]
    const dilations: [number, number] = dilate ? [pick(random, [1, 2, 3]), 2] : [1, 1]
    const padKind = pick(random, ['same', 'valid', 'explicit'] as const)
    const pad: Pad =
      padKind === 'explicit'
        ? [
            [0, 0],
            [int(random, 0, 2), int(random, 0, 2)],
            [int(random, 0, 2), int(random, 0, 2)],
            [0, 0],
          ]
        : padKind
    const xShape: [number, number, number, number] = [batch, h, w, c]
    const filterShape: [number, number, number, number] = [kH, kW, c, out]
    const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, undefined, depthwise)
    if (info.outHeight < 1 || info.outWidth < 1) continue
    return { seed, xShape, filterShape, strides, dilations, pad, outShape: info.outShape }
  }
}

const describeCase = (c: ConvCase) =>
  `seed ${c.seed}: x ${c.xShape} filter ${c.filterShape} strides ${c.strides} dilations ${c.dilations} pad ${JSON.stringify(c.pad)}`

async function compare(kernel: string, inputs: Record<string, { shape: number[]; values: Float32Array }>, attrs: object) {
  const expected = await runOn('cpu', kernel, inputs, attrs)
  const actual = await runOn('wasm', kernel, inputs, attrs)
  expect(actual.shape).toEqual(expected.shape)
  return relativeError(actual.values, expected.values)
}

beforeAll(async () => {
  expect((await initEngine({ backend: 'wasm' })).name).toBe('wasm')
})

// Kernels with a wasm SIMD path (channels a multiple of 4, simd.ts) and a JavaScript one: both are checked.
const simdAndJs = describe.each([
  { path: 'SIMD', simd: true },
  { path: 'JavaScript', simd: false },
])

describe('training kernels are registered for wasm only', () => {
  it('replaces or adds each kernel on wasm and leaves the CPU backend its own', () => {
    for (const config of trainingKernels) {
      expect(getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc)
      expect(getKernel(config.kernelName, 'cpu')?.kernelFunc).not.toBe(config.kernelFunc)
    }
  })
})

simdAndJs('Conv2DBackpropFilter matches the CPU backend ($path)', ({ simd }) => {
  beforeAll(() => {
    simdOptions.enabled = simd
    return () => {
      simdOptions.enabled = true
    }
  })

  it(`over ${CASES} random convolutions`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const c = randomCase(seed, false, false)
      const random = rng(seed * 7919)
      const err = await compare(
        'Conv2DBackpropFilter',
        { x: { shape: c.xShape, values: randomValues(random, c.xShape) }, dy: { shape: c.outShape, values: randomValues(random, c.outShape) } },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: c.filterShape },
      )
      expect(err, describeCase(c)).toBeLessThan(TOLERANCE)
    }
  })

  it('with channels in groups of 4 (the SIMD transpose), 1×1 and 3×3, rows of any length, strides 1 and 2', async () => {
    let seed = 61
    for (const [h, w] of [
      [1, 3],
      [2, 4],
      [3, 7],
      [5, 13],
    ]) {
      for (const k of [1, 3]) {
        for (const strides of [
          [1, 1],
          [2, 2],
          [1, 2],
        ] as [number, number][]) {
          for (const pad of ['same', 'valid'] as Pad[]) {
            const random = rng(seed++)
            const xShape: [number, number, number, number] = [int(random, 1, 3), h, w, pick(random, [4, 8, 12])]
            const filterShape: [number, number, number, number] = [k, k, xShape[3], int(random, 1, 5)]
            const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, [1, 1], pad)
            if (info.outHeight < 1 || info.outWidth < 1) continue
            const c = { seed, xShape, filterShape, strides, dilations: [1, 1] as [number, number], pad, outShape: info.outShape }
            const err = await compare(
              'Conv2DBackpropFilter',
              {
                x: { shape: xShape, values: randomValues(random, xShape) },
                dy: { shape: c.outShape, values: randomValues(random, c.outShape) },
              },
              { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape },
            )
            expect(err, describeCase(c)).toBeLessThan(TOLERANCE)
          }
        }
      }
    }
  })
})

describe('Conv2DBackpropInput matches the CPU backend', () => {
  it(`over ${CASES} random convolutions`, async () => {
    for (let seed = 101; seed <= 100 + CASES; seed++) {
      const c = randomCase(seed, false, false)
      const random = rng(seed * 7919)
      const err = await compare(
        'Conv2DBackpropInput',
        {
          dy: { shape: c.outShape, values: randomValues(random, c.outShape) },
          filter: { shape: c.filterShape, values: randomValues(random, c.filterShape) },
        },
        { inputShape: c.xShape, strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined },
      )
      expect(err, describeCase(c)).toBeLessThan(TOLERANCE)
    }
  })

  it('gives the same result with either strided strategy (col2im and zero-spread convolution)', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend()
    for (let seed = 201; seed <= 220; seed++) {
      const c = randomCase(seed, false, false)
      const random = rng(seed)
      const dy = tf.tensor(randomValues(random, c.outShape), c.outShape)
      const filter = tf.tensor(randomValues(random, c.filterShape), c.filterShape)
      const attrs = { inputShape: c.xShape, strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined }
      const results = (['col2im', 'spread'] as const).map((s) => {
        const info = conv2DBackpropInputWith(s)({ inputs: { dy, filter }, backend, attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo
        return tf.engine().makeTensorFromTensorInfo(info)
      })
      const [a, b] = await Promise.all(results.map((r) => r.data() as Promise<Float32Array>))
      expect(relativeError(a, b), describeCase(c)).toBeLessThan(TOLERANCE)
      tf.dispose([dy, filter, ...results])
    }
  })
})

describe('DepthwiseConv2dNativeBackpropInput matches the CPU backend', () => {
  it(`over ${CASES} random depthwise convolutions (multipliers 1–3)`, async () => {
    for (let seed = 301; seed <= 300 + CASES; seed++) {
      const c = randomCase(seed, true, false)
      const random = rng(seed * 7919)
      const err = await compare(
        'DepthwiseConv2dNativeBackpropInput',
        {
          dy: { shape: c.outShape, values: randomValues(random, c.outShape) },
          filter: { shape: c.filterShape, values: randomValues(random, c.filterShape) },
        },
        { inputShape: c.xShape, strides: c.strides, dilations: c.dilations, pad: c.pad, dimRoundingMode: undefined },
      )
      expect(err, describeCase(c)).toBeLessThan(TOLERANCE)
    }
  })
})

simdAndJs('DepthwiseConv2dNativeBackpropFilter matches the CPU backend ($path)', ({ simd }) => {
  beforeAll(() => {
    simdOptions.enabled = simd
    return () => {
      simdOptions.enabled = true
    }
  })

  it(`over ${CASES} random depthwise convolutions (multipliers 1–3)`, async () => {
    for (let seed = 401; seed <= 400 + CASES; seed++) {
      const c = randomCase(seed, true, false)
      const random = rng(seed * 7919)
      const err = await compare(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: { shape: c.xShape, values: randomValues(random, c.xShape) }, dy: { shape: c.outShape, values: randomValues(random, c.outShape) } },
        { strides: c.strides, dilations: c.dilations, pad: c.pad, dimRoundingMode: undefined, filterShape: c.filterShape },
      )
      expect(err, describeCase(c)).toBeLessThan(TOLERANCE)
    }
  })

  it("in MobileNet's case (3×3, multiplier 1, channels 3–8; rows longer than a SIMD stretch), every stride, padding and edge", async () => {
    let seed = 451
    for (const [h, w] of [
      [1, 1],
      [2, 2],
      [3, 4],
      [7, 9],
      [12, 13],
    ]) {
      for (const strides of [
        [1, 1],
        [2, 2],
        [1, 2],
        [2, 1],
      ] as [number, number][]) {
        for (const pad of [
          'same',
          'valid',
          [
            [0, 0],
            [0, 2],
            [2, 1],
            [0, 0],
          ],
        ] as Pad[]) {
          const random = rng(seed++)
          const xShape: [number, number, number, number] = [int(random, 1, 3), h, w, pick(random, [4, 8, 3, 5])]
          const filterShape: [number, number, number, number] = [pick(random, [1, 3]), 3, xShape[3], 1]
          const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, [1, 1], pad, undefined, true)
          if (info.outHeight < 1 || info.outWidth < 1) continue
          const c = { seed, xShape, filterShape, strides, dilations: [1, 1] as [number, number], pad, outShape: info.outShape }
          const err = await compare(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: { shape: xShape, values: randomValues(random, xShape) }, dy: { shape: c.outShape, values: randomValues(random, c.outShape) } },
            { strides, dilations: [1, 1], pad, dimRoundingMode: undefined, filterShape },
          )
          expect(err, describeCase(c)).toBeLessThan(TOLERANCE)
        }
      }
    }
  })
})

// TF.js's conv gradients refuse dilation > 1 and the CPU backprop kernels ignore it, so dilated gradients have no CPU
// kernel to compare with. They are checked as adjoints of the CPU's forward (dilated) convolution instead: for any V,
// ⟨∂L/∂W, V⟩ = ⟨dy, conv(x, V)⟩, and for any U, ⟨∂L/∂x, U⟩ = ⟨dy, conv(U, W)⟩. Random V and U make this a check of
// every entry (a wrong entry survives only if it happens to be orthogonal to a random vector).
describe.each([
  { forward: 'Conv2D', depthwise: false, filterGrad: 'Conv2DBackpropFilter', inputGrad: 'Conv2DBackpropInput' },
  {
    forward: 'DepthwiseConv2dNative',
    depthwise: true,
    filterGrad: 'DepthwiseConv2dNativeBackpropFilter',
    inputGrad: 'DepthwiseConv2dNativeBackpropInput',
  },
])('dilated $forward gradients are the adjoints of the dilated convolution', ({ forward, depthwise, filterGrad, inputGrad }) => {
  it('for random shapes', async () => {
    let checked = 0
    for (let seed = 501; checked < 15; seed++) {
      const c = randomCase(seed, depthwise, true)
      if (c.dilations[0] === 1 && c.dilations[1] === 1) c.dilations = [2, 2]
      c.strides = [1, 1]
      const info = backend_util.computeConv2DInfo(c.xShape, c.filterShape, 1, c.dilations, c.pad, undefined, depthwise)
      if (info.outHeight < 1 || info.outWidth < 1) continue
      checked++
      const outShape = info.outShape
      const random = rng(seed)
      const x = randomValues(random, c.xShape)
      const w = randomValues(random, c.filterShape)
      const dy = randomValues(random, outShape)
      const V = randomValues(random, c.filterShape)
      const U = randomValues(random, c.xShape)
      const common = { strides: [1, 1], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: c.dilations }
      const dW = await runOn(
        'wasm',
        filterGrad,
        { x: { shape: c.xShape, values: x }, dy: { shape: outShape, values: dy } },
        { ...common, filterShape: c.filterShape },
      )
      const dX = await runOn(
        'wasm',
        inputGrad,
        { dy: { shape: outShape, values: dy }, filter: { shape: c.filterShape, values: w } },
        { ...common, inputShape: c.xShape },
      )
      const convXV = await runOn('cpu', forward, { x: { shape: c.xShape, values: x }, filter: { shape: c.filterShape, values: V } }, common)
      const convUW = await runOn('cpu', forward, { x: { shape: c.xShape, values: U }, filter: { shape: c.filterShape, values: w } }, common)
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0)
      const scale = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v * b[i]), 0)
      expect(Math.abs(dot(dW.values, V) - dot(dy, convXV.values)) / scale(dy, convXV.values), describeCase(c)).toBeLessThan(1e-5)
      expect(Math.abs(dot(dX.values, U) - dot(dy, convUW.values)) / scale(dy, convUW.values), describeCase(c)).toBeLessThan(1e-5)
    }
  })
})

describe('large batches are taken a few images at a time', () => {
  it('gives the same filter and input gradients as the CPU when the patch matrix is split by image', async () => {
    const saved = limits.patchFloats
    limits.patchFloats = 400 // a handful of images per chunk at these sizes
    try {
      for (let seed = 601; seed <= 610; seed++) {
        const c = randomCase(seed, false, false)
        c.xShape[0] = 5
        const info = backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad)
        const random = rng(seed)
        const x = { shape: c.xShape, values: randomValues(random, c.xShape) }
        const dy = { shape: info.outShape, values: randomValues(random, info.outShape) }
        const filter = { shape: c.filterShape, values: randomValues(random, c.filterShape) }
        const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined }
        expect(await compare('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: c.filterShape }), describeCase(c)).toBeLessThan(
          TOLERANCE,
        )
        expect(await compare('Conv2DBackpropInput', { dy, filter }, { ...common, inputShape: c.xShape }), describeCase(c)).toBeLessThan(
          TOLERANCE,
        )
      }
    } finally {
      limits.patchFloats = saved
    }
  })
})

describe('MaxPoolGrad matches the CPU backend (the wasm built-in fails on all-negative windows)', () => {
  it('over random pools, including windows of negative values and padding', async () => {
    for (let seed = 701; seed <= 730; seed++) {
      const random = rng(seed)
      const xShape = [pick(random, [1, 2, 3]), int(random, 2, 11), int(random, 2, 11), int(random, 1, 4)]
      const filterSize: [number, number] = [int(random, 1, 3), int(random, 1, 3)]
      const strides: [number, number] = [int(random, 1, 3), int(random, 1, 2)]
      const pad = pick(random, ['same', 'valid'] as const)
      const info = backend_util.computePool2DInfo(xShape as [number, number, number, number], filterSize, strides, 1, pad)
      if (info.outHeight < 1 || info.outWidth < 1) continue
      // Shifted negative half the time: the built-in kernel's failure case.
      const shift = random() < 0.5 ? -3 : 0
      const x = randomValues(random, xShape).map((v) => v + shift)
      const err = await compare(
        'MaxPoolGrad',
        {
          dy: { shape: info.outShape, values: randomValues(random, info.outShape) },
          input: { shape: xShape, values: x },
          output: { shape: info.outShape, values: new Float32Array(info.outShape.reduce((a, b) => a * b)) },
        },
        { filterSize, strides, pad, dimRoundingMode: undefined },
      )
      expect(err, `seed ${seed}: x ${xShape} pool ${filterSize} strides ${strides} ${pad}`).toBeLessThan(TOLERANCE)
    }
  })
})

// The CPU backend's ResizeNearestNeighborGrad is itself wrong for the second and later images of a batch (it reads dy
// as if every image were the first), so this kernel is checked as the adjoint of the CPU's forward resize, which is
// right: ⟨grad(dy), U⟩ = ⟨dy, resize(U)⟩ for random U.
describe('ResizeNearestNeighborGrad is the adjoint of the forward resize', () => {
  it('for random sizes, batches and corner modes', async () => {
    for (let seed = 801; seed <= 830; seed++) {
      const random = rng(seed)
      const shape = [pick(random, [1, 2, 3]), int(random, 1, 7), int(random, 1, 7), int(random, 1, 3)]
      const size: [number, number] = [int(random, 1, 14), int(random, 1, 14)]
      const alignCorners = random() < 0.3
      const halfPixelCenters = !alignCorners && random() < 0.5
      const outShape = [shape[0], size[0], size[1], shape[3]]
      const dy = randomValues(random, outShape)
      const U = randomValues(random, shape)
      const attrs = { alignCorners, halfPixelCenters, size }
      const grad = await runOn('wasm', 'ResizeNearestNeighborGrad', { images: { shape, values: U }, dy: { shape: outShape, values: dy } }, attrs)
      const resized = await runOn('cpu', 'ResizeNearestNeighbor', { images: { shape, values: U } }, attrs)
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0)
      const scale = dy.reduce((s, v, i) => s + Math.abs(v * resized.values[i]), 0)
      expect(Math.abs(dot(grad.values, U) - dot(dy, resized.values)) / scale, `seed ${seed}`).toBeLessThan(1e-5)
    }
  })
})

describe('Tile matches the CPU backend', () => {
  it('over random ranks, shapes and repetitions (batch norm tiles a channel vector over every pixel)', async () => {
    for (let seed = 901; seed <= 940; seed++) {
      const random = rng(seed)
      const rank = int(random, 1, 5)
      const shape = Array.from({ length: rank }, () => pick(random, [1, 1, 2, 3, 5]))
      const reps = Array.from({ length: rank }, () => pick(random, [1, 1, 2, 3, 4, 7]))
      const err = await compare('Tile', { x: { shape, values: randomValues(random, shape) } }, { reps })
      expect(err, `seed ${seed}: x ${shape} reps ${reps}`).toBe(0)
    }
  })
})

describe.each(['Sum', 'Mean'])('%s matches the CPU backend', (kernel) => {
  it('over random shapes and axes, leading (the fast path) or not, with and without kept dimensions', async () => {
    for (let seed = 1001; seed <= 1040; seed++) {
      const random = rng(seed)
      const rank = int(random, 1, 4)
      const shape = Array.from({ length: rank }, () => int(random, 1, 9))
      const leading = random() < 0.6
      const axes = leading
        ? Array.from({ length: int(random, 1, rank) }, (_, i) => i)
        : Array.from({ length: rank }, (_, i) => i).filter(() => random() < 0.5)
      const axis = axes.length === 1 && random() < 0.5 ? axes[0] - (random() < 0.5 ? rank : 0) : axes
      const keepDims = random() < 0.3
      const err = await compare(kernel, { x: { shape, values: randomValues(random, shape) } }, { axis, keepDims })
      expect(err, `seed ${seed}: x ${shape} axis ${JSON.stringify(axis)} keepDims ${keepDims}`).toBeLessThan(TOLERANCE)
    }
  })

  it('keeps a large reduction over the leading axes accurate to float32 rounding', async () => {
    const random = rng(1099)
    const shape = [7, 61, 79, 16] // blocks of rows summed by XNNPACK, and rows left over
    const values = randomValues(random, shape).map((v) => v + 10) // a large common offset: float32 running sums drift
    const exact = new Float64Array(16)
    values.forEach((v, i) => (exact[i % 16] += v))
    if (kernel === 'Mean') exact.forEach((v, c) => (exact[c] = v / (values.length / 16)))
    const actual = await runOn('wasm', kernel, { x: { shape, values } }, { axis: [0, 1, 2], keepDims: false })
    expect(relativeError(actual.values, Float32Array.from(exact))).toBeLessThan(1e-6)
  })
})

describe("batch norm's gradient in training mode matches the CPU backend", () => {
  it('for x, scale and offset through the batch statistics, over random NHWC shapes', async () => {
    for (let seed = 1101; seed <= 1110; seed++) {
      const random = rng(seed)
      // The last case is large enough for the statistics to be summed in blocks by XNNPACK.
      const shape = seed === 1110 ? [4, 20, 30, 6] : [int(random, 1, 4), int(random, 1, 9), int(random, 1, 9), int(random, 1, 6)]
      const x = randomValues(random, shape)
      const gamma = randomValues(random, [shape[3]])
      const beta = randomValues(random, [shape[3]])
      const dy = randomValues(random, shape)
      const grads = async (backend: string) => {
        await tf.setBackend(backend)
        const inputs = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)]
        const f = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(xt, [0, 1, 2])
          return tf.batchNorm(xt, mean, variance, b, g, 1e-3)
        }
        const out = tf.grads(f)(inputs, tf.tensor(dy, shape))
        const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>))
        tf.dispose([...inputs, ...out])
        return values
      }
      const expected = await grads('cpu')
      const actual = await grads('wasm')
      for (let i = 0; i < 3; i++) {
        expect(scaledError(actual[i], expected[i], 1e-3), `seed ${seed}: x ${shape}, gradient ${i}`).toBeLessThan(1e-4)
      }
    }
  })
})

simdAndJs('batch norm in training mode as one kernel (KindlingBatchNormTraining) matches the CPU composition ($path)', ({ simd }) => {
  // The CPU reference is what tfjs-layers computes: moments over every axis but the channels, then batchNorm. Its loss
  // also reaches the mean and variance outputs, so that every term of the fused gradient is checked.
  it('in y, the batch statistics and the gradients of x, scale and offset, over random shapes and ranks', async () => {
    simdOptions.enabled = simd
    await tf.setBackend('wasm')
    // Node and Electron have wasm SIMD: the fast path must not fall back silently.
    expect(simdFor(tf.backend() as Parameters<typeof simdFor>[0]) != null).toBe(simd)
    for (let seed = 1301; seed <= 1317; seed++) {
      const random = rng(seed)
      const c = pick(random, [1, 3, 4, 8, 12])
      const shape =
        seed >= 1316
          ? [8, 15, 20, seed === 1316 ? 33 : 32] // several cache blocks of pixels
          : seed % 4 === 0
            ? [int(random, 1, 5), c] // rank 2 (a dense layer's batch norm)
            : [int(random, 1, 3), int(random, 1, 9), int(random, 1, 9), c]
      const C = shape[shape.length - 1]
      const axes = shape.slice(0, -1).map((_, i) => i)
      // Offset from zero and scaled per case, so that the mean matters and E[x²] − μ² is tested for cancellation.
      const shift = pick(random, [0, 3, -20])
      const x = randomValues(random, shape).map((v) => v * (1 + 4 * random()) + shift)
      const gamma = randomValues(random, [C])
      const beta = randomValues(random, [C])
      const dy = randomValues(random, shape)
      const u = randomValues(random, [C])
      const v = randomValues(random, [C])
      const run = async (backend: string) => {
        await tf.setBackend(backend)
        const inputs = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)]
        const forward = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor[] => {
          if (backend === 'wasm') {
            return tf.engine().runKernel(BATCH_NORM_TRAINING, { x: xt, scale: g, offset: b }, { varianceEpsilon: 1e-3 }) as tf.Tensor[]
          }
          const { mean, variance } = tf.moments(xt, axes)
          return [tf.batchNorm(xt, mean, variance, b, g, 1e-3), mean, variance]
        }
        const loss = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const [y, mean, variance] = forward(xt, g, b)
          return tf.addN([
            tf.sum(tf.mul(y, tf.tensor(dy, shape))),
            tf.sum(tf.mul(mean, tf.tensor1d(u))),
            tf.sum(tf.mul(variance, tf.tensor1d(v))),
          ])
        }
        const outs = [...forward(inputs[0], inputs[1], inputs[2]), ...tf.grads(loss)(inputs)]
        const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>))
        tf.dispose([...inputs, ...outs])
        return values
      }
      const expected = await run('cpu')
      const actual = await run('wasm')
      const names = ['y', 'mean', 'variance', 'dx', 'd scale', 'd offset']
      for (let i = 0; i < names.length; i++) {
        expect(scaledError(actual[i], expected[i], 1e-3), `seed ${seed}: x ${shape} + ${shift}, ${names[i]}`).toBeLessThan(1e-4)
      }
    }
    simdOptions.enabled = true
  })
})

simdAndJs("Relu6's gradient matches the CPU backend ($path)", ({ simd }) => {
  it('over random shapes, with values on both bounds (0 stops the gradient, 6 passes it)', async () => {
    simdOptions.enabled = simd
    for (let seed = 1401; seed <= 1410; seed++) {
      const random = rng(seed)
      const shape = [int(random, 1, 3), int(random, 1, 9), int(random, 1, 9), int(random, 1, 6)]
      const x = randomValues(random, shape).map((v, i) => (i % 7 === 0 ? 6 : i % 11 === 0 ? 0 : v * 12))
      const dy = randomValues(random, shape)
      const grad = async (backend: string) => {
        await tf.setBackend(backend)
        const xt = tf.tensor(x, shape)
        const dyt = tf.tensor(dy, shape)
        const g = tf.grad((t: tf.Tensor) => tf.relu6(t))(xt, dyt)
        const values = (await g.data()) as Float32Array
        tf.dispose([xt, dyt, g])
        return values
      }
      const expected = await grad('cpu')
      expect(relativeError(await grad('wasm'), expected), `seed ${seed}: x ${shape}`).toBe(0)
    }
    simdOptions.enabled = true
  })
})

simdAndJs("ReLU6's gradient (ClipByValue after Relu) matches the CPU backend ($path)", ({ simd }) => {
  it('over random shapes and bounds, with values on the bounds', async () => {
    simdOptions.enabled = simd
    for (let seed = 1201; seed <= 1220; seed++) {
      const random = rng(seed)
      const shape = [int(random, 1, 3), int(random, 1, 9), int(random, 1, 9), int(random, 1, 6)]
      const hi = pick(random, [1, 6, 0.5])
      // Scaled past both bounds, with exact bound values mixed in (the gradient passes at the bounds).
      const x = randomValues(random, shape).map((v, i) => (i % 7 === 0 ? hi : i % 11 === 0 ? 0 : v * 2 * hi))
      const dy = randomValues(random, shape)
      const grad = async (backend: string) => {
        await tf.setBackend(backend)
        const xt = tf.tensor(x, shape)
        const dyt = tf.tensor(dy, shape)
        const g = tf.grad((t: tf.Tensor) => tf.clipByValue(tf.relu(t), 0, hi))(xt, dyt)
        const values = (await g.data()) as Float32Array
        tf.dispose([xt, dyt, g])
        return values
      }
      const expected = await grad('cpu')
      expect(relativeError(await grad('wasm'), expected), `seed ${seed}: x ${shape}, max ${hi}`).toBe(0)
    }
    simdOptions.enabled = true
  })
})

describe('Identity (a clone) on wasm', () => {
  it('keeps its values after the tensor it cloned is disposed, and frees the memory when both are', async () => {
    await tf.setBackend('wasm')
    const before = tf.memory().numBytes
    const x = tf.tensor([1, 2, 3, 4], [2, 2])
    const y = tf.clone(x)
    x.dispose()
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4])
    const z = tf.add(y, 1)
    expect(Array.from(await z.data())).toEqual([2, 3, 4, 5])
    tf.dispose([y, z])
    expect(tf.memory().numBytes).toBe(before)
  })
})
