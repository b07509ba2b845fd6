// The kept maps of a frozen feature extractor (train/feature-cache.ts): a view comes back within half a byte step of
// its map's range, nothing is kept past the memory budget, and a map of the wrong size is refused.
import { describe, expect, it } from 'vitest'
import { FeatureCache } from '../../../src/main/train/feature-cache.js'

const view = (seed: number, sizes: number[]) =>
  sizes.map((n, m) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * (m + 1)) * 3 + 3))

describe('FeatureCache', () => {
  it('returns a kept view within half a step of each map’s range', () => {
    const cache = new FeatureCache([50, 20])
    const maps = view(1, [50, 20])
    const kept = cache.put('7:photo', maps)!
    expect(cache.get('7:photo')).toEqual(kept)
    maps.forEach((m, i) => {
      const step = (Math.max(...m) - Math.min(...m)) / 255
      for (let j = 0; j < m.length; j++) expect(Math.abs(kept[i][j] - m[j])).toBeLessThanOrEqual(step / 2 + 1e-5)
    })
    expect(cache.get('7:mirror')).toBeUndefined()
    expect({ hits: cache.hits, misses: cache.misses, size: cache.size, bytes: cache.bytes }).toEqual({ hits: 1, misses: 1, size: 1, bytes: 70 })
  })

  it('keeps a constant map exactly', () => {
    const cache = new FeatureCache([4])
    expect(cache.put('1:photo', [new Float32Array([6, 6, 6, 6])])).toEqual([new Float32Array([6, 6, 6, 6])])
  })

  it('keeps nothing past its budget, and the views it kept stay', () => {
    const cache = new FeatureCache([100], 250)
    expect(cache.put('1:photo', view(1, [100]))).not.toBeNull()
    expect(cache.put('2:photo', view(2, [100]))).not.toBeNull()
    expect(cache.put('3:photo', view(3, [100]))).toBeNull()
    expect(cache.size).toBe(2)
    expect(cache.get('3:photo')).toBeUndefined()
    expect(cache.get('1:photo')).toBeDefined()
  })

  it('refuses a view whose maps are not the extractor’s', () => {
    const cache = new FeatureCache([10, 5])
    expect(() => cache.put('1:photo', view(1, [10, 4]))).toThrow('a cached view has maps of 10, 4 values, expected 10, 5')
  })
})
