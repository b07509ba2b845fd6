// Backend choice: native packages are tried first and skipped cleanly when absent (as here, where libtensorflow
// cannot be downloaded), wasm is chosen with our kernels, KINDLING_BACKEND forces a backend, and a forced backend
// that cannot load is an error rather than a silent fallback.
import fs from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { afterEach, describe, expect, it } from 'vitest'
import { engineInfo, initEngine, parseBackendName, wasmBinaryDirectory, type BackendName } from '../../../src/main/engine/index.js'

const nativeInstalled = (pkg: string) => {
  try {
    import.meta.resolve(pkg)
    return true
  } catch {
    return false
  }
}

afterEach(() => {
  delete process.env.KINDLING_BACKEND
})

describe('initEngine', () => {
  it('falls through the absent native backends to wasm, saying why each was skipped', async () => {
    const skipped: [BackendName, string][] = []
    const info = await initEngine({ onSkip: (name, reason) => skipped.push([name, reason]) })
    if (nativeInstalled('@tensorflow/tfjs-node')) {
      expect(info.name).toMatch(/^tensorflow/)
      return
    }
    expect(skipped.map(([name]) => name)).toEqual(['tensorflow-gpu', 'tensorflow'])
    expect(skipped[0][1]).toContain('tfjs-node-gpu')
    expect(info).toEqual({ name: 'wasm', version: tf.version_core, threads: 1 })
    expect(tf.getBackend()).toBe('wasm')
    expect(engineInfo()).toEqual(info)
  })

  it('loads the wasm binaries from node_modules, not from a URL', () => {
    const dir = wasmBinaryDirectory()
    expect(fs.existsSync(`${dir}tfjs-backend-wasm-simd.wasm`)).toBe(true)
    expect(dir).not.toMatch(/^https?:/)
  })

  it('obeys KINDLING_BACKEND', async () => {
    process.env.KINDLING_BACKEND = 'cpu'
    expect((await initEngine()).name).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    process.env.KINDLING_BACKEND = 'wasm'
    expect((await initEngine()).name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
  })

  it('refuses a forced backend that cannot load, and a name that is not a backend', async () => {
    if (!nativeInstalled('@tensorflow/tfjs-node')) {
      await expect(initEngine({ backend: 'tensorflow' })).rejects.toThrow(/backend tensorflow was requested but cannot be used/)
    }
    process.env.KINDLING_BACKEND = 'tpu'
    await expect(initEngine()).rejects.toThrow(/KINDLING_BACKEND=tpu is not a backend; use one of tensorflow-gpu, tensorflow, wasm, cpu/)
  })

  it('accepts the package names as aliases', () => {
    expect(parseBackendName('tfjs-node-gpu')).toBe('tensorflow-gpu')
    expect(parseBackendName('node')).toBe('tensorflow')
    expect(parseBackendName(' WASM ')).toBe('wasm')
    expect(parseBackendName('')).toBeUndefined()
  })
})
