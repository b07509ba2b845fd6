// The classifier presets build as plain TF.js layers models of standard layers, with the classes of the tag they learn,
// and the softmax cross-entropy is the textbook one.
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  buildClassifier,
  classificationLoss,
  classifierPart,
  classifierPreset,
  classifierPresetNames,
  isClassifierConfig,
} from '../../../src/main/classifier/index.js'
import { preset } from '../../../src/main/detector/index.js'
import { initEngine } from '../../../src/main/engine/index.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

describe('classifier presets', () => {
  it('alexnet-classifier: AlexNet’s five convolutions at 227×227, pool5 7×7, fc6 and fc7 512 wide, two classes', () => {
    const config = classifierPreset('alexnet-classifier', 'smiling')
    expect(config.classes).toEqual(['not smiling', 'smiling'])
    const { model } = buildClassifier(config)
    try {
      expect(model.inputs[0].shape).toEqual([null, 227, 227, 3])
      expect(model.outputNames).toEqual(['classLogits'])
      expect(model.outputs[0].shape).toEqual([null, 2])
      const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name)
      expect(convs).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5'])
      expect(model.getLayer('pool5').outputShape).toEqual([null, 7, 7, 256])
      expect(model.getLayer('fc6').outputShape).toEqual([null, 512])
      expect(model.getLayer('fc7').outputShape).toEqual([null, 512])
      // What an exporter to ONNX has to cover beyond the detectors' layers.
      const kinds = new Set(model.layers.map((l) => l.getClassName()))
      expect([...kinds].sort()).toEqual(['Conv2D', 'Dense', 'Dropout', 'Flatten', 'InputLayer', 'MaxPooling2D', 'ReLU', 'Rescaling'])
      expect(classifierPart('conv5')).toBe('backbone')
      expect(classifierPart('fc6_dropout')).toBe('head')
    } finally {
      model.dispose()
    }
  })

  it('mobilenet-classifier-160: MobileNet V1 at half width on 160×160, averaged, one dense layer', () => {
    const config = classifierPreset('mobilenet-classifier-160')
    const { model } = buildClassifier(config)
    try {
      expect(model.inputs[0].shape).toEqual([null, 160, 160, 3])
      expect(model.getLayer('conv_pw_13').outputShape).toEqual([null, 5, 5, 512])
      expect(model.getLayer('pool').getClassName()).toBe('GlobalAveragePooling2D')
      expect(model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.name)).toEqual(['classLogits'])
      // The backbone's layers are named as the detector's (so pretrained weights and freezing work the same).
      const detector = preset('mobilenet-ssd-320x240')
      expect(detector.backbone).toEqual(config.backbone)
    } finally {
      model.dispose()
    }
  })

  it('are told from detector configs, and refuse unknown names', () => {
    for (const name of classifierPresetNames) expect(isClassifierConfig(classifierPreset(name))).toBe(true)
    expect(isClassifierConfig(preset('alexnet-ssd-300'))).toBe(false)
    expect(() => classifierPreset('resnet-classifier')).toThrow(/no classifier preset is called "resnet-classifier"/)
  })
})

describe('classificationLoss', () => {
  it('is the mean of −log softmax of the true class', () => {
    const logits = tf.tensor2d([
      [2, 0],
      [0, 0],
    ])
    const loss = classificationLoss(logits, tf.tensor1d([0, 1], 'int32'))
    const expected = (-Math.log(Math.exp(2) / (Math.exp(2) + 1)) + Math.log(2)) / 2
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5)
  })
})
