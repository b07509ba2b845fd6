import { describe, expect, it } from 'vitest'
import { parseRunnerLine } from '../../../src/shared/runner-lines.js'

describe('runner lines', () => {
  it('accepts the contract’s lines', () => {
    const summary = '{"type":"summary","samples":0,"p50Ms":null,"p90Ms":null,"p99Ms":null,"meanMs":null,"fps":null,"throttled":null}'
    expect(parseRunnerLine(summary)).toMatchObject({ type: 'summary', samples: 0 })
    expect(parseRunnerLine('{"type":"sample","i":3,"ms":12.5,"tempC":48.2}')).toEqual({ type: 'sample', i: 3, ms: 12.5, tempC: 48.2 })
    const info = {
      type: 'info',
      runner: '0.1.0',
      node: 'v18.19.0',
      arch: 'arm64',
      platform: 'linux',
      runtime: 'tfjs',
      runtimeVersion: '4.22.0',
      backend: 'wasm',
      threads: 1,
      precision: 'fp32',
      fallback: 'ONNX Runtime has no build for linux/arm',
      inputShape: [1, 240, 320, 3],
      cpu: 'ARM Cortex-A72',
      piModel: null,
    }
    expect(parseRunnerLine(JSON.stringify(info))).toEqual(info)
  })

  it('refuses an info line without its runtime, or with one it does not know', () => {
    const info = {
      type: 'info',
      runner: '0.1.0',
      node: 'v18',
      arch: 'x64',
      platform: 'linux',
      backend: 'cpu',
      inputShape: [1],
      cpu: 'c',
      piModel: null,
    }
    expect(() => parseRunnerLine(JSON.stringify(info))).toThrow(/unexpected line \(runtime: /)
    const full = { ...info, runtime: 'onnx', runtimeVersion: '1.31.1', threads: 4, precision: 'fp32', fallback: null }
    expect(parseRunnerLine(JSON.stringify(full))).toMatchObject({ runtime: 'onnx', threads: 4 })
    expect(() => parseRunnerLine(JSON.stringify({ ...full, runtime: 'tflite' }))).toThrow(/unexpected line \(runtime: /)
    expect(() => parseRunnerLine(JSON.stringify({ ...full, threads: 0 }))).toThrow(/unexpected line \(threads: /)
  })

  it('refuses a line that is not one, quoting it and naming the field', () => {
    expect(() => parseRunnerLine('Hi there 👋')).toThrow('the runner printed a line that is not JSON: Hi there 👋')
    expect(() => parseRunnerLine('{"type":"sample","i":-1,"ms":1,"tempC":null}')).toThrow(/unexpected line \(i: .*\): \{"type":"sample"/)
    expect(() => parseRunnerLine('{"type":"progress"}')).toThrow(/unexpected line/)
  })
})
