// The classifier model for a config: image → the backbone's maps (the detector's builders, so layer names — and so
// pretrained weights and a frozen backbone — work the same) → its last map pooled → hidden dense layers → classLogits
// [b, classes]. Standard layers only (Rescaling, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, MaxPooling2D,
// Flatten, GlobalAveragePooling2D, Dense, Dropout), so the model folder is a plain TF.js layers model.
import * as tfl from '@tensorflow/tfjs-layers'
import { backboneDefinition, featurePyramid, inputScaling, type InputScaling } from '../detector/index.js'
import { ClassifierConfig, type ClassifierConfigInput } from './config.js'

export interface Classifier {
  /**
   * Input `image`: float32 RGB 0–255, [b, height, width, 3] (the model scales it itself). Output `classLogits`
   * [b, classes], the config's classes in order. Batch norm and dropout layers need `{ training: true }` when training.
   */
  model: tfl.LayersModel
  config: ClassifierConfig
  inputScaling: InputScaling
}

type S = tfl.SymbolicTensor

export function buildClassifier(input: ClassifierConfig | ClassifierConfigInput): Classifier {
  const config = ClassifierConfig.parse(input)
  const { width, height } = config.input
  const image = tfl.input({ shape: [height, width, 3], name: 'image' })
  const maps = featurePyramid(image, config.backbone, backboneDefinition(config.backbone).nativeMaps)
  let y: S = maps[maps.length - 1]
  const L = tfl.layers
  if (config.head.pool === 'flatten') {
    // AlexNet's pool5 (3×3, stride 2, no padding: 15×15 → 7×7 at 227), then the map as one vector.
    y = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'pool5' }).apply(y) as S
    y = L.flatten({ name: 'flatten' }).apply(y) as S
  } else {
    y = L.globalAveragePooling2d({ name: 'pool' }).apply(y) as S
  }
  config.head.hidden.forEach((units, i) => {
    const name = `fc${6 + i}`
    y = L.dense({ units, kernelInitializer: 'heNormal', name }).apply(y) as S
    y = L.reLU({ name: `${name}_relu` }).apply(y) as S
    if (config.head.dropout > 0) y = L.dropout({ rate: config.head.dropout, name: `${name}_dropout` }).apply(y) as S
  })
  const logits = L.dense({ units: config.classes.length, name: 'classLogits' }).apply(y) as S
  const model = tfl.model({ inputs: image, outputs: logits, name: config.name })
  return { model, config, inputScaling: inputScaling(config.backbone) }
}

/** Which part of a classifier a layer belongs to: the head is what follows the backbone's last map. */
export function classifierPart(layerName: string): 'input' | 'backbone' | 'head' {
  if (layerName === 'image' || layerName === 'input_scaling') return 'input'
  if (/^(pool5|pool|flatten|fc\d+(_relu|_dropout)?|classLogits)$/.test(layerName)) return 'head'
  return 'backbone'
}
