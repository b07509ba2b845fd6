// Fine-tuning with new classes: a parent detector's weights into a detector of the same architecture whose class list
// keeps the parent's classes (in any order) and adds new ones. Every layer is copied whole except the class predictors
// (`head${i}_class`), whose output channels are laid out per anchor × (C + 1) scores (head.ts: conv filters k · (C+1),
// reshaped to [cells · k, C + 1]): there the background's and each carried class's channels move to their new index,
// and the new classes' channels keep the child's fresh initialisation.
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

const CLASS_PREDICTOR = /^head\d+_class$/

/** True for a layer whose output channels are per-class scores (what a transfer remaps rather than copies). */
export const isClassPredictor = (layerName: string) => CLASS_PREDICTOR.test(layerName)

/**
 * For each score index of the child (0 = background, then its classes), the parent's score index it starts from, or
 * -1 for a new class. Throws when the child drops one of the parent's classes or names one twice.
 */
export function scoreSources(parentClasses: readonly string[], classes: readonly string[]): number[] {
  const dropped = parentClasses.filter((c) => !classes.includes(c))
  if (dropped.length > 0) {
    throw new Error(`a fine-tune keeps its parent's classes (${parentClasses.join(', ')}); missing: ${dropped.join(', ')}`)
  }
  const twice = classes.filter((c, i) => classes.indexOf(c) !== i)
  if (twice.length > 0) throw new Error(`class ${twice[0]} is listed twice`)
  return [0, ...classes.map((c) => (parentClasses.includes(c) ? parentClasses.indexOf(c) + 1 : -1))]
}

/**
 * `fresh` (the child's own values, output channels last: [..., anchors · childScores]) with the channels of carried
 * scores replaced by the parent's ([..., anchors · parentScores]); `sources` is scoreSources'.
 */
export function remapScoreChannels(
  parent: Float32Array,
  fresh: Float32Array,
  sources: readonly number[],
  parentScores: number,
  anchors: number,
): Float32Array {
  const childScores = sources.length
  const positions = parent.length / (anchors * parentScores)
  if (!Number.isInteger(positions) || positions * anchors * childScores !== fresh.length) {
    throw new Error(
      `a class predictor of ${parent.length} values cannot become one of ${fresh.length} (${anchors} anchors, ${parentScores} → ${childScores} scores)`,
    )
  }
  const out = fresh.slice()
  for (let p = 0; p < positions; p++) {
    for (let a = 0; a < anchors; a++) {
      const to = (p * anchors + a) * childScores
      const from = (p * anchors + a) * parentScores
      sources.forEach((s, j) => {
        if (s >= 0) out[to + j] = parent[from + s]
      })
    }
  }
  return out
}

export interface TransferReport {
  /** Layers whose weights were copied whole. */
  copied: string[]
  /** Class predictors whose carried channels were copied and new ones left fresh. */
  remapped: string[]
}

/**
 * Put `parent`'s weights into `child` (the same detector config but for its classes). Layers are paired by name (every
 * layer of a detector is named: backbones/layers.ts); any other difference in the architecture is an error, naming
 * the layer.
 */
export function transferWeights(
  parent: tfl.LayersModel,
  parentClasses: readonly string[],
  child: tfl.LayersModel,
  classes: readonly string[],
): TransferReport {
  const sources = scoreSources(parentClasses, classes)
  const parentScores = parentClasses.length + 1
  const report: TransferReport = { copied: [], remapped: [] }
  const parentLayers = new Map(parent.layers.map((l) => [l.name, l]))
  for (const layer of child.layers) {
    if (layer.weights.length === 0) continue
    const from = parentLayers.get(layer.name)
    if (!from || from.weights.length !== layer.weights.length) {
      throw new Error(`the parent's model has no layer ${layer.name} like the fine-tune's: is it the same preset?`)
    }
    const remap = isClassPredictor(layer.name)
    const values = tf.tidy(() =>
      layer.weights.map((w, k) => {
        const p = from.weights[k].read()
        if (!remap) {
          if (p.shape.join() !== w.shape.join()) {
            throw new Error(`layer ${layer.name}'s weight ${k} is [${p.shape}] in the parent and [${w.shape}] in the fine-tune`)
          }
          return p.clone()
        }
        // Kernel [kh, kw, in, anchors · scores] and bias [anchors · scores]: the last axis is the output channel. A
        // child that reads fine features too (fineClassFeatures) has more inputs: the parent's carried scores weigh
        // them 0, so they start as the parent's, and learn to use them.
        const shape = w.shape as number[]
        const pShape = p.shape as number[]
        const wider = p.rank === 4 && shape[2] > pShape[2] && pShape[0] === shape[0] && pShape[1] === shape[1]
        const from4 = wider
          ? tf.pad(p, [
              [0, 0],
              [0, 0],
              [0, shape[2] - pShape[2]],
              [0, 0],
            ])
          : p
        if (from4.shape.slice(0, -1).join() !== w.shape.slice(0, -1).join()) {
          throw new Error(`layer ${layer.name}'s weight ${k} is [${p.shape}] in the parent and [${w.shape}] in the fine-tune`)
        }
        const anchors = p.shape[p.rank - 1] / parentScores
        const data = remapScoreChannels(from4.dataSync() as Float32Array, w.read().dataSync() as Float32Array, sources, parentScores, anchors)
        return tf.tensor(data, w.shape as number[])
      }),
    )
    layer.setWeights(values)
    tf.dispose(values)
    ;(remap ? report.remapped : report.copied).push(layer.name)
  }
  return report
}
