import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseArgs, UsageError } from '../../../src/runner/args.js'

describe('runner command line', () => {
  it('has the contract’s defaults', () => {
    expect(parseArgs(['--model', 'm'])).toEqual({ model: 'm', iterations: 100, warmup: 5, threads: 1, outputs: false })
  })

  it('takes --name value and --name=value', () => {
    expect(parseArgs(['--model=/a b', '--iterations', '7', '--warmup=0', '--threads', '1', '--outputs'])).toEqual({
      model: '/a b',
      iterations: 7,
      warmup: 0,
      threads: 1,
      outputs: true,
    })
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
    expect(() => parseArgs(['--model', 'm', '--threads', '4'])).toThrow(/--threads 4 is not possible/)
    expect(() => parseArgs(['--model', 'm', '--fast'])).toThrow(/unknown argument "--fast"/)
    expect(() => parseArgs(['m'])).toThrow(UsageError)
  })
})
