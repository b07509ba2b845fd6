// The SSD head: on each feature map, a 3×3 conv predicts class scores and another one box offsets for every anchor of
// every cell, flattened in the anchors' order so the model's i-th prediction belongs to the i-th anchor
// (classLogits [b, A, C+1] with class 0 = background, boxOffsets [b, A, 4]). Shapes: docs/detector.md#head.
import * as tfl from '@tensorflow/tfjs-layers'
import { anchorsPerCell } from './anchors.js'
import type { FeatureMap } from './config.js'
import { mapSize, type S } from './backbones/layers.js'

const L = tfl.layers

/** Anchors over all maps: Σ rows · cols · anchorsPerCell — the A of the model's outputs. */
export function anchorCount(maps: readonly Pick<FeatureMap, 'size' | 'aspectRatios' | 'extraScale'>[]): number {
  return maps.reduce((sum, m) => sum + m.size[0] * m.size[1] * anchorsPerCell(m), 0)
}

export interface HeadOutputs {
  /** [b, A, classes + 1] logits; index 0 is background. */
  classLogits: S
  /** [b, A, 4] encoded box offsets (the box coder's dx, dy, dw, dh). */
  boxOffsets: S
}

/** Output names of the detector model, in output order. */
export const outputNames = ['classLogits', 'boxOffsets'] as const

/**
 * Class and box predictors on each map. `featureMaps[i]` gives map i's anchors per cell; `classes` counts the object
 * classes (the background class is added here). Layers are named `head${i}_class`, `head${i}_box`, … and the outputs
 * `classLogits` and `boxOffsets`.
 */
export function ssdHead(maps: readonly S[], featureMaps: readonly FeatureMap[], classes: number, fineClassFeatures = false): HeadOutputs {
  const { classLogits, boxOffsets } = predictors(maps, featureMaps, classes, fineClassFeatures, true)
  return { classLogits, boxOffsets: boxOffsets! }
}

/** The class predictors alone (as ssdHead names them): for a head whose box predictions are kept (buildHead). */
export function classPredictors(maps: readonly S[], featureMaps: readonly FeatureMap[], classes: number, fineClassFeatures = false): S {
  return predictors(maps, featureMaps, classes, fineClassFeatures, false).classLogits
}

function predictors(
  maps: readonly S[],
  featureMaps: readonly FeatureMap[],
  classes: number,
  fineClassFeatures: boolean,
  boxes: boolean,
): { classLogits: S; boxOffsets: S | null } {
  if (maps.length !== featureMaps.length) {
    throw new Error(`the head got ${maps.length} feature maps for ${featureMaps.length} configured ones`)
  }
  const scores = classes + 1
  const single = maps.length === 1
  const cls: S[] = []
  const box: S[] = []
  maps.forEach((map, i) => {
    const k = anchorsPerCell(featureMaps[i])
    const [rows, cols] = mapSize(map)
    const predictor = (filters: number, what: string, input = map) =>
      L.conv2d({ filters, kernelSize: 3, padding: 'same', name: `head${i}_${what}` }).apply(input) as S
    // Explicit target shapes (not −1) keep A static in the model's output shapes.
    const flat = (y: S, n: number, what: string, output: string) =>
      L.reshape({ targetShape: [rows * cols * k, n], name: single ? output : `head${i}_${what}_flat` }).apply(y) as S
    const classInput = fineClassFeatures && i > 0 ? withFineFeatures(map, maps[0], i) : map
    cls.push(flat(predictor(k * scores, 'class', classInput), scores, 'class', 'classLogits'))
    // Built in this order (class, box, map by map): the order of the model's weights, which checkpoints follow.
    if (boxes) box.push(flat(predictor(k * 4, 'box'), 4, 'box', 'boxOffsets'))
  })
  const joined = (parts: S[], name: string) => (single ? parts[0] : (L.concatenate({ axis: 1, name }).apply(parts) as S))
  return { classLogits: joined(cls, 'classLogits'), boxOffsets: boxes ? joined(box, 'boxOffsets') : null }
}

/**
 * Map i's features with the finest map's beside them, average-pooled to map i's size (one window per cell, 'same'
 * padding, which averages over the cells inside the map only). The pool's stride is the power of two between the two
 * maps' strides, as every backbone here halves its maps.
 */
function withFineFeatures(map: S, finest: S, i: number): S {
  const [rows, cols] = mapSize(map)
  const [fineRows, fineCols] = mapSize(finest)
  let stride = 1
  while (stride <= Math.max(fineRows, fineCols) && (Math.ceil(fineRows / stride) !== rows || Math.ceil(fineCols / stride) !== cols)) stride *= 2
  if (Math.ceil(fineRows / stride) !== rows || Math.ceil(fineCols / stride) !== cols) {
    throw new Error(`map ${i} (${rows}×${cols}) is not the finest map (${fineRows}×${fineCols}) pooled by a power of two`)
  }
  const pooled = L.averagePooling2d({ poolSize: stride, strides: stride, padding: 'same', name: `head${i}_fine` }).apply(finest) as S
  return L.concatenate({ axis: -1, name: `head${i}_class_input` }).apply([map, pooled]) as S
}
