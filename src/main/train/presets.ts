// The presets in the order the Train page offers them: fastest to train on a CPU first. Measured on this project's
// 2-core machine, wasm backend, one step at batch 2 (median of the last three of four, machine shared with other work):
// alexnet-ssd-320x240 0.73 s, mobilenet-ssd-320x240 1.3 s, darknet-tiny-ssd-320x240 1.6 s, alexnet-ssd-300 ≈ 1.8 s,
// resnet18-ssd-300 3.4 s, mobilenet-v2-ssd-320x240 3.6 s, mobilenet-v1-ssd-300 3.9 s. Depthwise convolutions are slow
// to train on wasm, so the MobileNets rank lower than their multiply-adds suggest.
import { PI_PRESET, type TrainInit, type TrainPreset } from '../../shared/api.js'
import { preset, presetNames, pretrainedSources } from '../detector/index.js'

const FASTEST_FIRST = [
  'alexnet-ssd-320x240',
  'mobilenet-ssd-320x240',
  'darknet-tiny-ssd-320x240',
  'alexnet-ssd-300',
  'resnet18-ssd-300',
  'mobilenet-v2-ssd-320x240',
  'mobilenet-v1-ssd-300',
]

/** Every preset: the one for a Pi first, then the measured fastest first; one added later and not yet measured goes last. */
export const TRAIN_PRESETS: string[] = [
  PI_PRESET,
  ...FASTEST_FIRST.filter((name) => presetNames.includes(name) && name !== PI_PRESET),
  ...presetNames.filter((name) => !FASTEST_FIRST.includes(name) && name !== PI_PRESET),
]

/** The initial weights that fit a preset's backbone: the pretrained sources that do, then random. */
export function initsFor(presetName: string): TrainInit[] {
  const { backbone } = preset(presetName)
  return [...Object.values(pretrainedSources).flatMap((s) => (s.accepts(backbone) ? [s.name] : [])), 'random']
}

/**
 * Where a run of this preset starts when its settings name no init: a pretrained backbone where one fits — measured,
 * it is worth more than anything else a short run can do (docs/student.md) — else random.
 */
export const defaultInit = (presetName: string): TrainInit => initsFor(presetName)[0]

export const trainPresets = (): TrainPreset[] => TRAIN_PRESETS.map((name) => ({ name, recommended: name === PI_PRESET, inits: initsFor(name) }))
