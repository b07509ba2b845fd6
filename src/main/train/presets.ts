// The presets in the order the Train page offers them: the one for a Pi first, then the fastest to train on a CPU.
// Measured on this project's 2-core machine, wasm backend, one step at batch 8 on one thread (`npm run bench -- train`,
// idle machine, after issue 12's batch-norm and SIMD kernels): mobilenet-ssd-320x240 1.37 s, alexnet-ssd-320x240 2.59 s,
// mobilenet-v1-ssd-320x240 2.81 s; the rest were measured before those kernels (batch 2: darknet-tiny-ssd-320x240
// 1.6 s, alexnet-ssd-300 ≈ 1.8 s, resnet18-ssd-300 3.4 s, mobilenet-v2-ssd-320x240 3.6 s, mobilenet-v1-ssd-300 3.9 s).
import { PI_PRESET, type RunTask, type TrainInit, type TrainPreset } from '../../shared/api.js'
import { classifierPreset, classifierPresetNames } from '../classifier/index.js'
import { type Backbone, preset, presetNames, pretrainedSources } from '../detector/index.js'
import { presetFacts } from './preset-facts.js'

const FASTEST_FIRST = [
  'mobilenet-ssd-320x240',
  'alexnet-ssd-320x240',
  'darknet-tiny-ssd-320x240',
  'alexnet-ssd-300',
  'resnet18-ssd-300',
  'mobilenet-v2-ssd-320x240',
  'mobilenet-v1-ssd-300',
]

/** Every detector preset: the one for a Pi first, then the measured fastest first; one added later and not yet measured goes last. */
export const TRAIN_PRESETS: string[] = [
  PI_PRESET,
  ...FASTEST_FIRST.filter((name) => presetNames.includes(name) && name !== PI_PRESET),
  ...presetNames.filter((name) => !FASTEST_FIRST.includes(name) && name !== PI_PRESET),
]

/** Every preset a run can train: the detectors, then the whole-image classifiers (AlexNet, the seed's baseline, first). */
export const ALL_PRESETS: string[] = [...TRAIN_PRESETS, ...classifierPresetNames]

/** What a preset trains: a detector, or a classifier of an image tag; undefined for no such preset. */
export function presetTask(name: string): RunTask | undefined {
  if (presetNames.includes(name)) return 'detect'
  if (classifierPresetNames.includes(name)) return 'classify'
  return undefined
}

const presetBackbone = (name: string): Backbone => (presetTask(name) === 'classify' ? classifierPreset(name) : preset(name)).backbone

/** The initial weights that fit a preset's backbone: the pretrained sources that do, then random. */
export function initsFor(presetName: string): TrainInit[] {
  const backbone = presetBackbone(presetName)
  return [...Object.values(pretrainedSources).flatMap((s) => (s.accepts(backbone) ? [s.name] : [])), 'random']
}

/**
 * Where a run of this preset starts when its settings name no init: a pretrained backbone where one fits — measured,
 * it is worth more than anything else a short run can do (docs/student.md) — else random.
 */
export const defaultInit = (presetName: string): TrainInit => initsFor(presetName)[0]

/** The presets as the Train page offers them, each with what the studio knows about it (preset-facts.ts). */
export const trainPresets = (): TrainPreset[] =>
  ALL_PRESETS.map((name) => ({
    name,
    task: presetTask(name)!,
    recommended: name === PI_PRESET,
    inits: initsFor(name),
    ...presetFacts(name),
  }))
