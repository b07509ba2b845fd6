// The full `@tensorflow/tfjs` package installs "chained ops" (`t.as3D(…)`, `t.toFloat()`, …) on the Tensor class;
// tfjs-core's Node bundle, which the engine uses, does not. face-api's models call them, so they are installed here on
// OUR tfjs-core's Tensor class — importing tfjs-core's own chained_ops files would load a second, ESM copy of tfjs-core.
import * as tf from '@tensorflow/tfjs-core'

// Methods that are `op(this, ...args)` for the op of the same name.
const SAME_NAME = `abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool batchToSpaceND batchNorm
  broadcastTo cast ceil clipByValue conv1d conv2d conv2dTranspose cos cosh cumprod cumsum depthToSpace depthwiseConv2d
  dilation2d div divNoNan dot elu equal erf euclideanNorm exp expandDims expm1 fft floor floorDiv gather greater
  greaterEqual ifft irfft isFinite isInf isNaN leakyRelu less lessEqual localResponseNormalization log log1p logSigmoid
  logSoftmax logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maximum maxPool mean min minimum mirrorPad
  mod mul neg norm notEqual oneHot onesLike pad pool pow prelu prod reciprocal relu relu6 reshape reverse rfft round
  rsqrt selu separableConv2d sigmoid sign sin sinh slice softmax softplus spaceToBatchND split sqrt square
  squaredDifference squeeze step stridedSlice sub sum tan tanh tile topk transpose unique unsortedSegmentSum unstack
  zerosLike`.split(/\s+/)

type AnyFn = (...args: unknown[]) => unknown
type T = tf.Tensor

const SPECIAL: Record<string, (this: T, ...args: never[]) => unknown> = {
  as1D() {
    return tf.reshape(this, [this.size])
  },
  as2D(r: number, c: number) {
    return tf.reshape(this, [r, c])
  },
  as3D(r: number, c: number, d: number) {
    return tf.reshape(this, [r, c, d])
  },
  as4D(r: number, c: number, d: number, d2: number) {
    return tf.reshape(this, [r, c, d, d2])
  },
  as5D(r: number, c: number, d: number, d2: number, d3: number) {
    return tf.reshape(this, [r, c, d, d2, d3])
  },
  asScalar() {
    return tf.reshape(this, [])
  },
  asType(dtype: tf.DataType) {
    return tf.cast(this, dtype)
  },
  flatten() {
    return tf.reshape(this, [this.size])
  },
  reshapeAs(x: T) {
    return tf.reshape(this, x.shape)
  },
  toBool() {
    return tf.cast(this, 'bool')
  },
  toFloat() {
    return tf.cast(this, 'float32')
  },
  toInt() {
    return tf.cast(this, 'int32')
  },
  resizeBilinear(size: [number, number], alignCorners?: boolean) {
    return tf.image.resizeBilinear(this as tf.Tensor3D, size, alignCorners)
  },
  resizeNearestNeighbor(size: [number, number], alignCorners?: boolean) {
    return tf.image.resizeNearestNeighbor(this as tf.Tensor3D, size, alignCorners)
  },
  concat(x: T | T[], axis?: number) {
    return tf.concat([this, ...(x instanceof tf.Tensor ? [x] : x)], axis)
  },
  stack(x: T | T[], axis?: number) {
    return tf.stack([this, ...(x instanceof tf.Tensor ? [x] : x)], axis)
  },
  where(condition: T, x: T) {
    return tf.where(condition, this, x)
  },
}

let installed = false

/** Install the chained ops that are missing (idempotent; never replaces one another package installed). */
export function installChainedOps(): void {
  if (installed) return
  installed = true
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>
  const ops = tf as unknown as Record<string, AnyFn>
  for (const name of SAME_NAME) {
    if (name in proto || typeof ops[name] !== 'function') continue
    proto[name] = function (this: T, ...args: unknown[]) {
      this.throwIfDisposed()
      return ops[name](this, ...args)
    }
  }
  for (const [name, fn] of Object.entries(SPECIAL)) {
    if (name in proto) continue
    proto[name] = function (this: T, ...args: never[]) {
      this.throwIfDisposed()
      return fn.apply(this, args)
    }
  }
}
