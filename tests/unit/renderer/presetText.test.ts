import { describe, expect, it } from 'vitest'
import type { TrainPreset } from '../../../src/shared/api'
import { compact, presetDetails, presetOptionText } from '../../../src/renderer/src/pages/Train/presetText'

const pi: TrainPreset = {
  name: 'mobilenet-v1-ssd-320x240',
  task: 'detect',
  recommended: true,
  inits: ['face-api-ssd-mobilenetv1', 'random'],
  input: '320×240',
  params: 5_821_228,
  macs: 1_015_229_440,
  training: { stepSeconds: 2.29, relativeToPi: 1, bench: 'bench -- train' },
  latency: { fp32Ms: 12.1, int8Ms: 9, bench: 'bench -- runtimes' },
}
const unmeasured: TrainPreset = { ...pi, name: 'resnet18-ssd-300', recommended: false, training: null, latency: null }

describe('preset texts', () => {
  it('sizes numbers the way a spec sheet does', () => {
    expect(compact(1_015_229_440)).toBe('1.02 G')
    expect(compact(287_102_464)).toBe('287 M')
    expect(compact(5_821_228)).toBe('5.8 M')
    expect(compact(4824)).toBe('5 k')
  })

  it('names the Pi default in its option, and the cost of every preset', () => {
    expect(presetOptionText(pi)).toBe('mobilenet-v1-ssd-320x240 — Raspberry Pi default, recommended · 1.02 G mult-adds')
    expect(presetOptionText(unmeasured)).toBe('resnet18-ssd-300 — 1.02 G mult-adds')
    expect(presetOptionText({ ...unmeasured, macs: null })).toBe('resnet18-ssd-300')
  })

  it('says what was measured, relative to the Pi preset, and what was not', () => {
    expect(presetDetails(pi)).toBe(
      '320×240 input · 5.8 M parameters · 1.02 G multiply-adds a frame · a training step at batch 8 takes 2.29 s on a ' +
        '2-core PC (trains at the Pi preset’s pace) · 12.1 ms a frame on ONNX Runtime (9.0 ms int8) on that PC',
    )
    const fast = { ...pi, recommended: false, training: { stepSeconds: 0.89, relativeToPi: 0.39, bench: '' } }
    expect(presetDetails(fast)).toContain('takes 0.89 s on a 2-core PC (trains 2.6× faster than the Pi preset)')
    const slow = { ...pi, recommended: false, training: { stepSeconds: 3, relativeToPi: 1.31, bench: '' } }
    expect(presetDetails(slow)).toContain('(trains 1.3× slower than the Pi preset)')
    expect(presetDetails(unmeasured)).toMatch(/training speed not measured yet · device latency not measured yet$/)
  })
})
