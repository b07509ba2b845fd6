// Where a worker thread's entry (or a module a worker imports by URL, like a training replica's) is found: beside the
// caller in the sources, and in the build at out/main/ — also when Rollup put the calling code into a shared chunk.
import { describe, expect, it } from 'vitest'
import { siblingModuleUrl } from '../../../src/main/jobs/index.js'

describe('siblingModuleUrl', () => {
  it('is the .ts beside a source module, and the build entry beside the bundle or above its chunks folder', () => {
    expect(siblingModuleUrl('file:///repo/src/main/train/parallel.ts', 'detector-replica')).toBe(
      'file:///repo/src/main/train/detector-replica.ts',
    )
    expect(siblingModuleUrl('file:///app/out/main/train-worker.js', 'detector-replica')).toBe('file:///app/out/main/detector-replica.js')
    expect(siblingModuleUrl('file:///app/out/main/chunks/session-C7Ree13z.js', 'data-parallel-worker')).toBe(
      'file:///app/out/main/data-parallel-worker.js',
    )
  })
})
