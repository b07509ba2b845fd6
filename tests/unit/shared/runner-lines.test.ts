import { describe, expect, it } from 'vitest'
import { parseRunnerLine } from '../../../src/shared/runner-lines.js'

describe('runner lines', () => {
  it('accepts the contract’s lines', () => {
    const summary = '{"type":"summary","samples":0,"p50Ms":null,"p90Ms":null,"p99Ms":null,"meanMs":null,"fps":null,"throttled":null}'
    expect(parseRunnerLine(summary)).toMatchObject({ type: 'summary', samples: 0 })
    expect(parseRunnerLine('{"type":"sample","i":3,"ms":12.5,"tempC":48.2}')).toEqual({ type: 'sample', i: 3, ms: 12.5, tempC: 48.2 })
  })

  it('refuses a line that is not one, quoting it and naming the field', () => {
    expect(() => parseRunnerLine('Hi there 👋')).toThrow('the runner printed a line that is not JSON: Hi there 👋')
    expect(() => parseRunnerLine('{"type":"sample","i":-1,"ms":1,"tempC":null}')).toThrow(/unexpected line \(i: .*\): \{"type":"sample"/)
    expect(() => parseRunnerLine('{"type":"progress"}')).toThrow(/unexpected line/)
  })
})
