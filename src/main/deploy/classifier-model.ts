// A whole-image classifier leaving the studio: the exported model ends in a softmax, so both its ONNX and its TF.js
// form answer with class probabilities (one [1, classes] tensor, `classProbabilities`) rather than the logits the
// training checkpoint keeps; and detector.json — the export's description, under the name every export has — says so,
// with the input the model takes and the class names in output order (format `kindling-classifier`).
import * as tfl from '@tensorflow/tfjs-layers'
import type { Int8Report } from '../../shared/api.js'
import type { ClassifierConfig } from '../classifier/index.js'
import { describeInput, type ModelInput, type ModelOrigin } from '../detector/index.js'

export const CLASSIFIER_FORMAT = 'kindling-classifier'
export const PROBABILITIES_OUTPUT = 'classProbabilities'

export interface ClassifierDescription {
  format: typeof CLASSIFIER_FORMAT
  version: 1
  task: 'classify'
  name: string
  origin: ModelOrigin
  /** onnxInt8: the int8 model (QDQ, the same input and output), when exported with int8. */
  files: { onnx: string; onnxInt8?: string; tfjs: string }
  input: ModelInput
  outputs: { [PROBABILITIES_OUTPUT]: { shape: [1, number]; meaning: string } }
  /** Class names in output order. */
  classes: string[]
  /** The studio's own config, for tools that read it. */
  config: ClassifierConfig
  /** What the int8 model costs in accuracy on the project's val photos (when there is one). */
  int8?: Int8Report
}

/**
 * The classifier with a softmax after its logits, sharing its layers (and so its weights): what an export holds. A
 * model that already ends in one (an earlier export, re-exported) is returned as it is.
 */
export function withProbabilities(model: tfl.LayersModel): tfl.LayersModel {
  if (model.outputs.length !== 1) throw new Error(`a classifier has one output, this model ${model.outputs.length}`)
  const last = model.getLayer(model.outputNames[0])
  if (last.getClassName() === 'Softmax') return model
  const probabilities = tfl.layers.softmax({ name: PROBABILITIES_OUTPUT }).apply(model.outputs[0]) as tfl.SymbolicTensor
  return tfl.model({ inputs: model.inputs, outputs: probabilities, name: model.name })
}

export function describeClassifier(config: ClassifierConfig, origin: ModelOrigin, files: ClassifierDescription['files']): ClassifierDescription {
  return {
    format: CLASSIFIER_FORMAT,
    version: 1,
    task: 'classify',
    name: config.name,
    origin,
    files,
    input: describeInput(config),
    outputs: {
      [PROBABILITIES_OUTPUT]: {
        shape: [1, config.classes.length],
        meaning: 'one probability per class, in the order of `classes` (they sum to 1); the photo is the most probable class',
      },
    },
    classes: [...config.classes],
    config,
  }
}
