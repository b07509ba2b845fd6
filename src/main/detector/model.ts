// The detector model for a config: image → backbone feature pyramid → SSD head → classLogits [b, A, C+1] and
// boxOffsets [b, A, 4]. The config states each map's size (so anchors can be computed without building a network);
// here the network is built and its real map sizes must agree, or the anchors and the predictions would silently
// belong to different places in the image.
import * as tfl from '@tensorflow/tfjs-layers'
import { DetectorConfig, type DetectorConfigInput } from './config.js'
import { channels, featurePyramid, inputScaling, mapSize, type InputScaling } from './backbones/index.js'
import type { S } from './backbones/layers.js'
import { anchorsPerCell } from './anchors.js'
import { anchorCount, classPredictors, ssdHead } from './head.js'

export interface DetectorMap {
  /** [rows, cols], equal to the config's. */
  size: [number, number]
  /** Channels the head's convs see on this map. */
  channels: number
  anchorsPerCell: number
  /** The layer whose output this map is. */
  layer: string
}

export interface Detector {
  /**
   * Input `image`: float32 RGB pixels in 0–255, [b, height, width, 3] (the model scales them itself — see
   * `inputScaling`). Outputs, in this order: `classLogits` [b, A, classes + 1] (index 0 = background) and
   * `boxOffsets` [b, A, 4], anchors in the anchors module's order. Batch norm layers need `{ training: true }` when
   * training.
   */
  model: tfl.LayersModel
  /** The validated config the model was built from. */
  config: DetectorConfig
  /** A: the anchors the model predicts for, Σ rows · cols · anchorsPerCell over the maps. */
  anchorCount: number
  maps: DetectorMap[]
  /** pixel · scale + offset: what the model's first layer does to its input. */
  inputScaling: InputScaling
}

/** Build the detector a config describes; throws if the network's feature maps differ from the config's. */
export function buildDetector(input: DetectorConfig | DetectorConfigInput): Detector {
  const config = DetectorConfig.parse(input)
  const { width, height } = config.input
  const image = tfl.input({ shape: [height, width, 3], name: 'image' })
  const pyramid = featurePyramid(image, config.backbone, config.featureMaps.length)
  const mismatch = sizeMismatch(config, pyramid)
  if (mismatch) {
    // The layers built so far hold weights; free them before reporting.
    tfl.model({ inputs: image, outputs: pyramid }).dispose()
    throw new Error(mismatch)
  }
  const { classLogits, boxOffsets } = ssdHead(pyramid, config.featureMaps, config.classes.length, config.fineClassFeatures)
  const model = tfl.model({ inputs: image, outputs: [classLogits, boxOffsets], name: config.name })
  const anchors = anchorCount(config.featureMaps)
  if (classLogits.shape[1] !== anchors || boxOffsets.shape[1] !== anchors) {
    model.dispose()
    throw new Error(`the head predicts for ${classLogits.shape[1]} anchors, the config describes ${anchors}`)
  }
  return {
    model,
    config,
    anchorCount: anchors,
    maps: pyramid.map((m, i) => ({
      size: mapSize(m),
      channels: channels(m),
      anchorsPerCell: anchorsPerCell(config.featureMaps[i]),
      layer: m.sourceLayer.name,
    })),
    inputScaling: inputScaling(config.backbone),
  }
}

/**
 * The detector's head as a model of its own: the maps in (inputs `map0`, `map1`, … shaped as `detector.maps`), the same
 * outputs out. Its layers have the head's names and fresh weights (copy them with `copyLayerWeights`): what a
 * fine-tune trains on a frozen feature extractor's kept maps (train/cached-head.ts). With `keptBoxes`, it has no box
 * predictors: the box offsets come in as one more input, `boxOffsets` [A, 4], and go out as they came.
 */
export function buildHead(detector: Detector, { keptBoxes = false } = {}): tfl.LayersModel {
  const maps = detector.maps.map((m, i) => tfl.input({ shape: [...m.size, m.channels], name: `map${i}` }))
  const { config } = detector
  const name = `${config.name}_head`
  if (keptBoxes) {
    const boxOffsets = tfl.input({ shape: [detector.anchorCount, 4], name: 'boxOffsets' })
    const classLogits = classPredictors(maps, config.featureMaps, config.classes.length, config.fineClassFeatures)
    return tfl.model({ inputs: [...maps, boxOffsets], outputs: [classLogits, boxOffsets], name })
  }
  const { classLogits, boxOffsets } = ssdHead(maps, config.featureMaps, config.classes.length, config.fineClassFeatures)
  return tfl.model({ inputs: maps, outputs: [classLogits, boxOffsets], name })
}

/** The weights of `to`'s layers that `from` has a layer of the same name for, copied from `from`. */
export function copyLayerWeights(from: tfl.LayersModel, to: tfl.LayersModel): void {
  const source = new Map(from.layers.map((l) => [l.name, l]))
  for (const layer of to.layers) {
    const twin = source.get(layer.name)
    if (layer.weights.length > 0 && twin) layer.setWeights(twin.getWeights())
  }
}

const fmt = ([rows, cols]: readonly number[]) => `[${rows},${cols}]`

function sizeMismatch(config: DetectorConfig, pyramid: S[]): string | null {
  const actual = pyramid.map(mapSize)
  const i = config.featureMaps.findIndex((m, k) => m.size[0] !== actual[k][0] || m.size[1] !== actual[k][1])
  if (i < 0) return null
  const { width, height } = config.input
  return (
    `featureMaps[${i}].size is ${fmt(config.featureMaps[i].size)} but ${config.backbone.name} at ${width}×${height} ` +
    `gives ${fmt(actual[i])} ([rows, cols]); its maps are ${actual.map(fmt).join(', ')}`
  )
}

/** Which part of a detector a layer belongs to, by the names the builders give: for per-part summaries. */
export function detectorPart(layerName: string): 'input' | 'backbone' | 'extras' | 'head' {
  if (layerName === 'image' || layerName === 'input_scaling') return 'input'
  if (/^head\d+_/.test(layerName) || layerName === 'classLogits' || layerName === 'boxOffsets') return 'head'
  if (/^extra\d+_/.test(layerName)) return 'extras'
  return 'backbone'
}
