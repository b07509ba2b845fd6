// src/main/engine/kernels/simd-module.ts is generated from simd.wat (`npm run simd`, wabt) and is what the engine runs;
// simd.wat is what people read and change. This keeps the two from drifting apart: simd.wat changed without
// `npm run simd` (or the generated file edited by hand) fails here.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { assembleSimd, MODULE_FILE, renderSimdModule } from '../../../scripts/simd.js'
import { simdModuleBytes } from '../../../src/main/engine/kernels/simd-module.js'

/** The WebAssembly API as used here (no DOM typings in this TypeScript config, which declare it). */
interface Descriptor {
  module?: string
  name: string
  kind: string
}
const WA = (
  globalThis as unknown as {
    WebAssembly: {
      validate(bytes: Uint8Array): boolean
      Module: { new (bytes: Uint8Array): object; imports(m: object): Descriptor[]; exports(m: object): Descriptor[] }
    }
  }
).WebAssembly

describe('simd-module.ts', () => {
  it('is what simd.wat assembles to', async () => {
    const committed = fs.readFileSync(MODULE_FILE, 'utf8')
    const assembled = renderSimdModule(await assembleSimd())
    expect(committed === assembled, 'simd-module.ts is out of date with simd.wat: run `npm run simd` and commit it').toBe(true)
  })

  it('is a module importing the memory and exporting the functions simd.ts calls', () => {
    expect(WA.validate(simdModuleBytes)).toBe(true)
    const module = new WA.Module(simdModuleBytes)
    expect(WA.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }])
    expect(WA.Module.exports(module)).toEqual(
      ['maskStrict', 'maskInclusive', 'affine', 'affine2', 'sums', 'depthwiseTap', 'gatherQuads'].map((name) => ({ name, kind: 'function' })),
    )
  })
})
