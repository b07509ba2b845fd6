// What an exported detector's files mean, for someone running them without the studio: the JSON written beside the
// model (detector.json in an export folder). Everything needed to go from a photo to boxes is here — input size and
// pixel format, what the outputs are, every anchor, the box coder's formula and variances, class names and the
// decoding thresholds — so a C++ or Python program with ONNX Runtime or OpenCV can reproduce the studio's detections.
import { anchorsFor } from './anchors.js'
import { inputScaling } from './backbones/index.js'
import type { DetectorConfig } from './config.js'
import type { Int8Report } from '../../shared/api.js'

export const DESCRIPTION_FORMAT = 'kindling-detector'

/** Where the model came from: a preset's initial weights, or a training run's checkpoint. */
export type ModelOrigin = ({ preset: string } | { runId: number; epoch: number }) & { randomWeights?: boolean }

export interface DetectorDescription {
  format: typeof DESCRIPTION_FORMAT
  version: 1
  name: string
  origin: ModelOrigin
  /** The model files in the folder, by format; int8 only when it was made. */
  files: { onnx: string; onnxInt8?: string; tfjs: string }
  input: ModelInput
  outputs: {
    classLogits: { shape: [1, number, number]; meaning: string }
    boxOffsets: { shape: [1, number, 4]; meaning: string }
  }
  /** Class names; class i of `classes` is index i + 1 in classLogits (0 is background). */
  classes: string[]
  anchors: { count: number; format: string; boxes: number[] }
  boxCoder: { variances: readonly [number, number, number, number]; decode: string }
  decoding: { scoreThreshold: number; iouThreshold: number; topK: number; method: string }
  /** With an int8 model: what it was calibrated on and what it costs in accuracy against fp32. */
  int8?: Int8Report
  /** The studio's own config, for tools that read it. */
  config: DetectorConfig
}

// Anchors are multiples of 2^-20 (anchors.ts): eight decimals carry them exactly enough, at a fraction of the digits.
const round8 = (x: number) => Math.round(x * 1e8) / 1e8

/** A model's input as its description gives it: every exported model (detector or classifier) takes a photo alike. */
export interface ModelInput {
  name: 'image'
  shape: [1, number, number, 3]
  layout: 'NHWC'
  dtype: 'float32'
  pixels: string
  /** What the model does to the pixels first (inside the model: callers pass raw 0–255). */
  scalingInModel: { scale: number; offset: number }
}

export function describeInput(config: Pick<DetectorConfig, 'input' | 'backbone'>): ModelInput {
  const { width, height } = config.input
  return {
    name: 'image',
    shape: [1, height, width, 3],
    layout: 'NHWC',
    dtype: 'float32',
    pixels:
      `RGB 0-255 as float32; the whole photo (EXIF orientation applied) stretched to ${width}×${height} ` +
      '(no letterbox: the aspect ratio is not kept), bilinear',
    scalingInModel: inputScaling(config.backbone),
  }
}

export function describeDetector(config: DetectorConfig, origin: ModelOrigin, files: DetectorDescription['files']): DetectorDescription {
  const anchors = anchorsFor(config)
  const scores = config.classes.length + 1
  return {
    format: DESCRIPTION_FORMAT,
    version: 1,
    name: config.name,
    origin,
    files,
    input: describeInput(config),
    outputs: {
      classLogits: {
        shape: [1, anchors.count, scores],
        meaning: 'per anchor, one logit per class with index 0 = background; softmax over the last axis gives scores',
      },
      boxOffsets: {
        shape: [1, anchors.count, 4],
        meaning: "per anchor, the box coder's offsets [dx, dy, dw, dh] of the box from that anchor",
      },
    },
    classes: [...config.classes],
    anchors: {
      count: anchors.count,
      format: 'per anchor, normalised corners [x1, y1, x2, y2] (0-1 of the input width and height), in output order',
      boxes: Array.from(anchors.boxes, round8),
    },
    boxCoder: {
      variances: config.boxCoder.variances,
      decode:
        'with the anchor as centre (acx, acy) and size (aw, ah): cx = dx·v0·aw + acx, cy = dy·v1·ah + acy, ' +
        'w = exp(dw·v2)·aw, h = exp(dh·v3)·ah; the box is [cx − w/2, cy − h/2, cx + w/2, cy + h/2], clipped to 0-1',
    },
    decoding: {
      ...config.decoding,
      method:
        'per class (not background): keep scores ≥ scoreThreshold, non-maximum suppression at iouThreshold, at most ' +
        'topK; then the topK best over all classes',
    },
    config,
  }
}
