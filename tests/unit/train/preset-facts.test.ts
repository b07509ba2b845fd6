// The preset list's figures are stored as data (building every preset takes seconds): they must stay what
// `kindling presets` computes, and every measured preset must exist.
import { describe, expect, it } from 'vitest'
import { buildClassifier, classifierPreset, classifierPresetNames } from '../../../src/main/classifier/index.js'
import { buildDetector, preset, presetNames, summarize } from '../../../src/main/detector/index.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { COSTS, LATENCY_MS, presetFacts, TRAIN_STEP_SECONDS } from '../../../src/main/train/index.js'
import { PI_PRESET } from '../../../src/shared/api.js'

describe('preset facts', () => {
  it("stores every preset's parameters and multiply-adds as the built detector counts them", async () => {
    await initEngine()
    expect(Object.keys(COSTS).sort()).toEqual([...presetNames, ...classifierPresetNames].sort())
    for (const name of classifierPresetNames) {
      const config = classifierPreset(name)
      const { model } = buildClassifier(config)
      try {
        const { params, macs } = summarize(model)
        expect({ name, ...COSTS[name] }).toEqual({ name, input: `${config.input.width}×${config.input.height}`, params, macs })
      } finally {
        model.dispose()
      }
    }
    for (const name of presetNames) {
      const config = preset(name)
      const detector = buildDetector(config)
      try {
        const { params, macs } = summarize(detector.model)
        expect({ name, ...COSTS[name] }).toEqual({ name, input: `${config.input.width}×${config.input.height}`, params, macs })
      } finally {
        detector.model.dispose()
      }
    }
  }, 120_000)

  it('measures only presets that exist, the Pi preset among them, and says so relative to it', () => {
    for (const name of [...Object.keys(TRAIN_STEP_SECONDS), ...Object.keys(LATENCY_MS)]) expect(presetNames).toContain(name)
    expect(presetFacts(PI_PRESET).training).toMatchObject({ relativeToPi: 1 })
    expect(presetFacts('mobilenet-ssd-320x240').training).toMatchObject({ stepSeconds: 0.89, relativeToPi: 0.39 })
    expect(presetFacts('resnet18-ssd-300')).toMatchObject({ training: null, latency: null, macs: 3_498_311_424 })
    expect(presetFacts('no-such-preset')).toEqual({ input: null, params: null, macs: null, training: null, latency: null })
  })
})
