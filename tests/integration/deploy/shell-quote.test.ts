import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { shellCommand, shellQuote } from '../../../src/main/deploy/index.js'
import { tempDir } from '../../helpers/fixtures.js'

const NASTY = [
  '',
  'plain',
  'two words',
  "it's",
  "''",
  '"double"',
  '$(touch PWNED)',
  '`touch PWNED`',
  '; touch PWNED',
  '&& touch PWNED',
  '| touch PWNED',
  '$HOME ${HOME} $0 $@ $*',
  'line one\nline two; touch PWNED',
  '\\ back\\slash \\',
  '* ? [a-z] ~ ~root',
  '#comment',
  "'; touch PWNED; echo '",
  '!$ !! ^x^y',
  '\t tab and unicode ☃ é',
]

describe('shellQuote', () => {
  // A real shell is the judge: each argument must arrive as exactly itself, and nothing in it may run.
  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`passes every argument through ${shell} unchanged and runs nothing`, () => {
      const dir = tempDir()
      const args = NASTY.map((s) => s.replaceAll('PWNED', path.join(dir, 'pwned')))
      const out = execFileSync(shell, ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`], { cwd: dir })
      expect(out.toString().split('\0').slice(0, -1)).toEqual(args)
      expect(fs.readdirSync(dir)).toEqual([])
    })
  }

  it('quotes the program too, so a name can never be shell syntax', () => {
    expect(shellCommand('node', 'a b', "c'd")).toBe(`'node' 'a b' 'c'\\''d'`)
  })

  it('refuses a NUL, which no command line can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/)
  })
})
