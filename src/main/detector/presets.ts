// Named detector configs: one per backbone and input size, each proven to build (tests/unit/detector/presets.test.ts).
// A run stores the parsed config, so a preset can change later without changing what old runs were.
// Why these feature maps, scales (0.1 … 0.95) and aspect ratios (1, 0.8) for faces: docs/detector.md#presets.
import { DetectorConfig, type DetectorConfigInput, type FeatureMap } from './config.js'

type Size = [rows: number, cols: number]

const sizes300: Size[] = [
  [38, 38],
  [19, 19],
  [10, 10],
  [5, 5],
  [3, 3],
  [2, 2],
]
const sizes320x240: Size[] = [
  [30, 40],
  [15, 20],
  [8, 10],
  [4, 5],
  [2, 3],
  [1, 2],
]
const faceScales = [0.1, 0.2, 0.4, 0.6, 0.8, 0.95]
const faceAspectRatios = [1, 0.8]

function faceMaps(sizes: Size[]): FeatureMap[] {
  return sizes.map((size, i) => ({ size, scale: faceScales[i], aspectRatios: [...faceAspectRatios], extraScale: true }))
}

/** What every face preset shares: the matcher thresholds, SSD's variances and loss, decoding for faces. */
function facePreset(
  name: string,
  input: { width: number; height: number },
  backbone: DetectorConfigInput['backbone'],
  sizes: Size[],
): DetectorConfigInput {
  return {
    name,
    input,
    classes: ['face'],
    backbone,
    featureMaps: faceMaps(sizes),
    matcher: { pos: 0.5, neg: 0.4 },
    boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
    loss: { name: 'ssd', negPosRatio: 3, boxWeight: 1 },
    // SSD's NMS IoU 0.45; a group photo rarely holds more than 50 faces.
    decoding: { scoreThreshold: 0.3, iouThreshold: 0.45, topK: 50 },
  }
}

const square300 = { width: 300, height: 300 }
const landscape320x240 = { width: 320, height: 240 }

const definitions: Record<string, () => DetectorConfigInput> = {
  // The first, proven detector: AlexNet's convolutions and SSD's extra layers (backbones/alexnet.ts).
  'alexnet-ssd-300': () => facePreset('alexnet-ssd-300', square300, { name: 'alexnet' }, sizes300),
  'alexnet-ssd-320x240': () => facePreset('alexnet-ssd-320x240', landscape320x240, { name: 'alexnet' }, sizes320x240),
  // SSD-MobileNet as in the TF Object Detection API, width 1.
  'mobilenet-v1-ssd-300': () => facePreset('mobilenet-v1-ssd-300', square300, { name: 'mobilenet-v1', alpha: 1 }, sizes300),
  'mobilenet-v1-ssd-320x240': () => facePreset('mobilenet-v1-ssd-320x240', landscape320x240, { name: 'mobilenet-v1', alpha: 1 }, sizes320x240),
  // The Raspberry Pi default: a camera's 4:3 frame without squashing, and half width — about a quarter of the
  // multiply-adds of width 1 (they scale with alpha²), which is what makes it fast on a Pi and trainable on a laptop.
  'mobilenet-ssd-320x240': () => facePreset('mobilenet-ssd-320x240', landscape320x240, { name: 'mobilenet-v1', alpha: 0.5 }, sizes320x240),
  'mobilenet-v2-ssd-320x240': () => facePreset('mobilenet-v2-ssd-320x240', landscape320x240, { name: 'mobilenet-v2', alpha: 1 }, sizes320x240),
  'darknet-tiny-ssd-320x240': () => facePreset('darknet-tiny-ssd-320x240', landscape320x240, { name: 'darknet-tiny' }, sizes320x240),
  'resnet18-ssd-300': () => facePreset('resnet18-ssd-300', square300, { name: 'resnet-18' }, sizes300),
}

export const presetNames = Object.keys(definitions)

/** A preset's config, parsed (defaults filled in) and fresh on every call, so a caller may change its copy. */
export function preset(name: string): DetectorConfig {
  const define = definitions[name]
  if (!define) throw new Error(`no detector preset is called "${name}"; the presets are ${presetNames.join(', ')}`)
  return DetectorConfig.parse(define())
}
