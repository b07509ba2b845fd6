// Pretrained initial weights for a detector's backbone, from models that ship inside installed packages (no network):
// a source maps its own weight names onto the studio backbone's layer names, every shape is checked before anything is
// set (a mismatch or a missing weight is refused, naming the layer), and the head and extras keep their seeded random
// weights. Which source a run started from is its settings' `init`.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import type { TrainInit } from '../../shared/api.js'
import type { Backbone } from './config.js'

const require = createRequire(import.meta.url)

/** Values for one studio layer's weights, by the weight's own name (kernel, gamma, moving_mean, …). */
type LayerValues = Map<string, { values: tf.Tensor; from: string }>

export interface PretrainedWeights {
  /** Studio layer name → its weights' values. */
  layers: Map<string, LayerValues>
  /**
   * The batch norm layers set, for `calibrateNorms`. Where the source folded its norm into a bias, the layer starts as
   * the identity plus that bias.
   */
  norms: string[]
}

export interface PretrainedSource {
  name: Exclude<TrainInit, 'random'>
  /** For the UI and the CLI's help. */
  description: string
  /** What the backbone must be for the weights to fit (the shape check says precisely where they don't). */
  fits: string
  /** Whether a config's backbone is that one: checked before a run starts, so a misfit is refused, not a failed run. */
  accepts(backbone: Backbone): boolean
  /** Reads the weights (fresh tensors: the caller disposes them with `disposePretrained`). */
  load(): PretrainedWeights
}

// tfjs-layers' batch norm epsilon (Keras' default), which face-api's MobileNetV1 also uses (float32 of 1e-3).
const BN_EPSILON = 1e-3

/**
 * face-api's SSD MobileNetV1 (WIDER FACE): TF Object Detection API names, MobileNetV1 width 1, inputs scaled to
 * [−1, 1] as the studio's mobilenet-v1 does. Its Conv2d_0 is the studio's conv1, and its Conv2d_i depthwise / pointwise
 * pair is block i. The depthwise layers keep their batch norms; the full convs had theirs folded into a bias
 * (convolution_bn_offset) when face-api exported them.
 */
function faceApiSsdMobilenetV1(): PretrainedWeights {
  const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model')
  const manifest = JSON.parse(
    fs.readFileSync(path.join(dir, 'ssd_mobilenetv1_model-weights_manifest.json'), 'utf8'),
  ) as tf.io.WeightsManifestConfig
  const specs = manifest.flatMap((group) => group.weights)
  const buffers = manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(dir, p))))
  const data = Buffer.concat(buffers)
  // decodeWeights dequantizes face-api's uint8-quantized weights the way its own loader does.
  const named = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs)
  const layers = new Map<string, LayerValues>()
  const take = (layer: string, weight: string, source: string) => {
    const values = named[source]
    if (!values) return
    delete named[source]
    if (!layers.has(layer)) layers.set(layer, new Map())
    layers.get(layer)!.set(weight, { values, from: source })
  }
  const norms: string[] = []
  const full = (layer: string, source: string) => {
    take(layer, 'kernel', `${source}/weights`)
    const offset = named[`${source}/convolution_bn_offset`]
    if (!offset) return
    delete named[`${source}/convolution_bn_offset`]
    const norm = new Map([
      ['gamma', { values: tf.fill(offset.shape, Math.sqrt(1 + BN_EPSILON)), from: `${source} (identity)` }],
      ['beta', { values: offset, from: `${source}/convolution_bn_offset` }],
      ['moving_mean', { values: tf.zeros(offset.shape), from: `${source} (identity)` }],
      ['moving_variance', { values: tf.ones(offset.shape), from: `${source} (identity)` }],
    ])
    layers.set(`${layer}_bn`, norm)
    norms.push(`${layer}_bn`)
  }
  full('conv1', 'MobilenetV1/Conv2d_0_pointwise')
  for (let i = 1; i <= 13; i++) {
    const dw = `MobilenetV1/Conv2d_${i}_depthwise`
    take(`conv_dw_${i}`, 'depthwise_kernel', `${dw}/depthwise_weights`)
    for (const w of ['gamma', 'beta', 'moving_mean', 'moving_variance']) take(`conv_dw_${i}_bn`, w, `${dw}/BatchNorm/${w}`)
    norms.push(`conv_dw_${i}_bn`)
    full(`conv_pw_${i}`, `MobilenetV1/Conv2d_${i}_pointwise`)
  }
  // The SSD head and extra layers are face-api's own layout (not the studio's): left out.
  tf.dispose(Object.values(named))
  return { layers, norms }
}

export const pretrainedSources: Record<Exclude<TrainInit, 'random'>, PretrainedSource> = {
  'face-api-ssd-mobilenetv1': {
    name: 'face-api-ssd-mobilenetv1',
    description: "the backbone of face-api's SSD MobileNetV1 face detector (trained on WIDER FACE)",
    fits: 'mobilenet-v1 at width 1 (alpha 1)',
    accepts: (backbone) => backbone.name === 'mobilenet-v1' && backbone.alpha === 1,
    load: faceApiSsdMobilenetV1,
  },
}

export function disposePretrained(weights: PretrainedWeights): void {
  for (const layer of weights.layers.values()) for (const { values } of layer.values()) values.dispose()
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(',')}]`

/** A weight's own name: tfjs-layers names them `layer/kernel`, or `layer/kernel_1` when a name repeats. */
const weightName = (w: tfl.LayerVariable) => w.originalName.split('/').pop()!

/**
 * Set the model's layers from the pretrained weights, after checking every one: a layer the model lacks, a weight the
 * source lacks, or a shape that differs is refused (naming the layer and both shapes) with nothing changed.
 */
export function setPretrained(model: tfl.LayersModel, weights: PretrainedWeights, sourceName: string): number {
  const plan: { layer: tfl.layers.Layer; values: tf.Tensor[] }[] = []
  for (const [layerName, values] of weights.layers) {
    let layer: tfl.layers.Layer
    try {
      layer = model.getLayer(layerName)
    } catch {
      throw new Error(`${sourceName} has weights for layer ${layerName}, which ${model.name} does not have`)
    }
    const ordered = layer.weights.map((w) => {
      const v = values.get(weightName(w))
      if (!v) throw new Error(`${sourceName} has no weight for layer ${layerName}'s ${weightName(w)} ${shapeText(w.shape)}`)
      if (!tf.util.arraysEqual(v.values.shape, w.shape as number[])) {
        throw new Error(
          `${sourceName} does not fit layer ${layerName}: its ${weightName(w)} is ${shapeText(w.shape)} in ${model.name} ` +
            `but ${shapeText(v.values.shape)} in ${v.from}`,
        )
      }
      return v.values
    })
    plan.push({ layer, values: ordered })
  }
  for (const { layer, values } of plan) layer.setWeights(values)
  return plan.length
}

/**
 * A batch norm in training normalises by the batch's own statistics, not the running ones the source was exported
 * with: the photos here are not WIDER FACE, and a folded norm (identity: mean 0, variance 1) is far from its
 * convolution's real output, so in the first training steps the pretrained features would be squashed to unit variance
 * and shifted by biases meant for another scale — most relu6 units dead or saturated. So each norm's running mean m and
 * variance v become those of its input on real photos, and gamma and beta change to compensate:
 * gamma' = gamma · √(v + ε) / √(v₀ + ε), beta' = beta + gamma · (m − m₀) / √(v₀ + ε). Predictions stay exactly what the
 * source computes, and a training batch of similar photos sees nearly the same features.
 */
export function calibrateNorms(model: tfl.LayersModel, norms: readonly string[], images: tf.Tensor4D): void {
  if (norms.length === 0) return
  const inputs = norms.map((name) => model.getLayer(name).input as tfl.SymbolicTensor)
  // Shares the model's layers (and so its weights): not disposed, which would dispose them.
  const probe = tfl.model({ inputs: model.inputs, outputs: inputs })
  const updates = tf.tidy(() => {
    const outs = probe.predict(images) as tf.Tensor | tf.Tensor[]
    return (Array.isArray(outs) ? outs : [outs]).map((y, k) => {
      const { mean, variance } = tf.moments(y, [0, 1, 2])
      const norm = model.getLayer(norms[k])
      const w = Object.fromEntries(norm.weights.map((v) => [weightName(v), v.read()]))
      const scale = tf.div(w.gamma, tf.sqrt(tf.add(w.moving_variance, BN_EPSILON)))
      const next: Record<string, tf.Tensor> = {
        gamma: tf.mul(scale, tf.sqrt(tf.add(variance, BN_EPSILON))),
        beta: tf.add(w.beta, tf.mul(scale, tf.sub(mean, w.moving_mean))),
        moving_mean: mean,
        moving_variance: variance,
      }
      return norm.weights.map((v) => {
        const value = next[weightName(v)]
        if (!value) throw new Error(`unexpected weight ${v.name} in batch norm ${norms[k]}`)
        return tf.keep(value)
      })
    })
  })
  updates.forEach((values, k) => {
    model.getLayer(norms[k]).setWeights(values)
    tf.dispose(values)
  })
}

/**
 * Start a freshly built model from a pretrained source: checked and set, then (given some training photos, 0–255 RGB
 * as the model takes them) its batch norms calibrated. Returns how many layers were set.
 */
export function initFromPretrained(model: tfl.LayersModel, init: TrainInit, calibration?: tf.Tensor4D): number {
  if (init === 'random') return 0
  const source = pretrainedSources[init]
  const weights = source.load()
  try {
    const layers = setPretrained(model, weights, source.name)
    if (calibration) calibrateNorms(model, weights.norms, calibration)
    return layers
  } finally {
    disposePretrained(weights)
  }
}
