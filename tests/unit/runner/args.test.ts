import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ortThreads, parseArgs, UsageError } from '../../../src/runner/args.js'

describe('runner command line', () => {
  it('has the contract’s defaults', () => {
    expect(parseArgs(['--model', 'm'])).toEqual({
      model: 'm',
      iterations: 100,
      warmup: 5,
      runtime: 'auto',
      threads: null,
      precision: 'fp32',
      ort: null,
      outputs: false,
    })
    // ONNX Runtime's threads default to the device's cores.
    expect(ortThreads(parseArgs(['--model', 'm']))).toBe(os.cpus().length)
  })

  it('takes --name value and --name=value', () => {
    expect(
      parseArgs([
        '--model=/a b',
        '--iterations',
        '7',
        '--warmup=0',
        '--threads',
        '3',
        '--runtime=onnx',
        '--precision',
        'int8',
        '--ort',
        '~/o',
        '--outputs',
      ]),
    ).toEqual({
      model: '/a b',
      iterations: 7,
      warmup: 0,
      runtime: 'onnx',
      threads: 3,
      precision: 'int8',
      ort: path.join(os.homedir(), 'o'),
      outputs: true,
    })
    expect(ortThreads(parseArgs(['--model', 'm', '--threads', '3']))).toBe(3)
    expect(parseArgs(['--model', 'm', '--runtime', 'tfjs', '--threads', '1'])).toMatchObject({ runtime: 'tfjs', threads: 1 })
  })

  it('expands a leading ~/ to the home folder, as a quoted path through a shell would not', () => {
    expect(parseArgs(['--model', '~/.kindling/abc']).model).toBe(path.join(os.homedir(), '.kindling/abc'))
    expect(parseArgs(['--model', 'a/~/b']).model).toBe('a/~/b')
  })

  it('names what is wrong', () => {
    expect(() => parseArgs([])).toThrow(/--model DIR is required/)
    expect(() => parseArgs(['--model'])).toThrow(/--model needs a value/)
    expect(() => parseArgs(['--model', 'm', '--iterations', '0'])).toThrow(/--iterations must be a whole number ≥ 1, not "0"/)
    expect(() => parseArgs(['--model', 'm', '--warmup', '2.5'])).toThrow(/--warmup must be a whole number ≥ 0, not "2.5"/)
    expect(() => parseArgs(['--model', 'm', '--threads', '0'])).toThrow(/--threads must be a whole number ≥ 1, not "0"/)
    expect(() => parseArgs(['--model', 'm', '--runtime', 'tfjs', '--threads', '4'])).toThrow(/--threads 4 is not possible with --runtime tfjs/)
    expect(() => parseArgs(['--model', 'm', '--runtime', 'tfjs', '--precision', 'int8'])).toThrow(/--precision int8 needs ONNX Runtime/)
    expect(() => parseArgs(['--model', 'm', '--runtime', 'gpu'])).toThrow(/--runtime must be one of auto, onnx, tfjs, not "gpu"/)
    expect(() => parseArgs(['--model', 'm', '--precision', 'fp16'])).toThrow(/--precision must be one of fp32, int8, not "fp16"/)
    expect(() => parseArgs(['--model', 'm', '--ort'])).toThrow(/--ort needs a value/)
    expect(() => parseArgs(['--model', 'm', '--fast'])).toThrow(/unknown argument "--fast"/)
    expect(() => parseArgs(['m'])).toThrow(UsageError)
  })
})
