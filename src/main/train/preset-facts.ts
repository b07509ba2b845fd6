// What the studio knows about each preset beyond its name, as data: what it costs a frame, and what the benches
// measured. The Train page's preset list shows it (`train.presets`), so a user picks with figures, not names.
//
// COSTS are what `kindling presets --json` prints (the detector — or classifier — built, its layers summed). Building
// every preset takes seconds of CPU, too long for a request, so the figures are stored here and
// tests/unit/train/preset-facts.test.ts rebuilds each preset and fails when they drift.
//
// MEASURED comes from two benches on this project's 2-core test machine, the figures the README's Performance section
// gives; a preset they did not cover has none (no guess):
// - TRAIN_STEP: `npm run bench -- train --presets=alexnet-ssd-320x240,mobilenet-ssd-320x240,mobilenet-v1-ssd-320x240
//   --workers=1,2`, batch 8, median of 3 steps, idle machine, 2026-12-07 (5e478f3). The other presets were last
//   measured before issue 12's kernels, at another batch size: not comparable, so not shown.
// - LATENCY: `npm run bench -- runtimes`, batch 1, p50 ms a frame, 2026-12-07 (24397fc): ONNX Runtime fp32 on both
//   threads and int8 on both threads, on the same machine (the runner's engine on a device).
import { PI_PRESET } from '../../shared/api.js'

export interface PresetCost {
  input: string
  params: number
  macs: number
}

export const COSTS: Record<string, PresetCost> = {
  'alexnet-ssd-300': { input: '300×300', params: 5_012_652, macs: 1_576_388_800 },
  'alexnet-ssd-320x240': { input: '320×240', params: 5_012_652, macs: 1_307_535_360 },
  'mobilenet-v1-ssd-300': { input: '300×300', params: 5_821_228, macs: 1_225_708_992 },
  'mobilenet-v1-ssd-320x240': { input: '320×240', params: 5_821_228, macs: 1_015_229_440 },
  'mobilenet-ssd-320x240': { input: '320×240', params: 1_593_292, macs: 287_102_464 },
  'mobilenet-v2-ssd-320x240': { input: '320×240', params: 3_391_148, macs: 581_008_384 },
  'darknet-tiny-ssd-320x240': { input: '320×240', params: 8_828_636, macs: 959_948_800 },
  'resnet18-ssd-300': { input: '300×300', params: 13_502_252, macs: 3_498_311_424 },
  // The whole-image classifiers (src/main/classifier), built with two classes.
  'alexnet-classifier': { input: '227×227', params: 9_156_418, macs: 821_596_864 },
  'mobilenet-classifier-160': { input: '160×160', params: 830_562, macs: 76_013_824 },
}

export const TRAIN_STEP_BENCH = '`bench -- train`, batch 8, 2 replicas on 2 cores, 2026-12-07'
/** Seconds a training step at batch 8 takes on both cores (2 data-parallel replicas). */
export const TRAIN_STEP_SECONDS: Record<string, number> = {
  'mobilenet-ssd-320x240': 0.89,
  'alexnet-ssd-320x240': 1.95,
  'mobilenet-v1-ssd-320x240': 2.29,
}

export const LATENCY_BENCH = '`bench -- runtimes`, ONNX Runtime, 2 threads, batch 1, p50, 2026-12-07'
/** Milliseconds a frame on the 2-core machine: fp32 and int8, ONNX Runtime on both threads. */
export const LATENCY_MS: Record<string, { fp32: number; int8: number }> = {
  'mobilenet-ssd-320x240': { fp32: 4.3, int8: 2.7 },
  'alexnet-ssd-320x240': { fp32: 13.0, int8: 8.0 },
  'mobilenet-v1-ssd-320x240': { fp32: 12.1, int8: 9.0 },
}

/** What the preset list says about one preset; null where nothing was measured. */
export function presetFacts(name: string) {
  const cost = COSTS[name] ?? null
  const step = TRAIN_STEP_SECONDS[name]
  const piStep = TRAIN_STEP_SECONDS[PI_PRESET]
  const latency = LATENCY_MS[name]
  return {
    input: cost?.input ?? null,
    params: cost?.params ?? null,
    macs: cost?.macs ?? null,
    training: step === undefined ? null : { stepSeconds: step, relativeToPi: Math.round((step / piStep) * 100) / 100, bench: TRAIN_STEP_BENCH },
    latency: latency === undefined ? null : { fp32Ms: latency.fp32, int8Ms: latency.int8, bench: LATENCY_BENCH },
  }
}
