// The presets in the order the Train page offers them: fastest to train on a CPU first. Measured on this project's
// 2-core machine, wasm backend, one step at batch 2 (median of the last three of four, machine shared with other work):
// alexnet-ssd-320x240 0.73 s, mobilenet-ssd-320x240 1.3 s, darknet-tiny-ssd-320x240 1.6 s, alexnet-ssd-300 ≈ 1.8 s,
// resnet18-ssd-300 3.4 s, mobilenet-v2-ssd-320x240 3.6 s, mobilenet-v1-ssd-300 3.9 s. Depthwise convolutions are slow
// to train on wasm, so the MobileNets rank lower than their multiply-adds suggest.
import { presetNames } from '../detector/index.js'

const FASTEST_FIRST = [
  'alexnet-ssd-320x240',
  'mobilenet-ssd-320x240',
  'darknet-tiny-ssd-320x240',
  'alexnet-ssd-300',
  'resnet18-ssd-300',
  'mobilenet-v2-ssd-320x240',
  'mobilenet-v1-ssd-300',
]

/** Every preset, the measured fastest first; a preset added later and not yet measured goes at the end. */
export const TRAIN_PRESETS: string[] = [
  ...FASTEST_FIRST.filter((name) => presetNames.includes(name)),
  ...presetNames.filter((name) => !FASTEST_FIRST.includes(name)),
]
