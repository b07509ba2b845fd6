// Tiled kindling on real photos: face-api's demo group photos (1920 px) with the default teacher, tiles off and auto
// (2×2 on these big photos), through the same Kindler the kindling job runs on each thread.
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { iou, Kindler, resolveSettings } from '../../../src/main/kindle/index.js'
import { demoPhotosDir } from '../../../src/main/studio.js'

beforeAll(async () => {
  await initEngine()
})

describe('tiled kindling on big group photos', () => {
  it('finds at least as many faces with tiles as without, each in the photo, no two on one face', async () => {
    const dir = demoPhotosDir()
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^sample\d+\.jpg$/.test(f))
      .sort()
    expect(files.length).toBeGreaterThanOrEqual(4)
    const off = await Kindler.create(resolveSettings({ tiles: 'off' }))
    const auto = await Kindler.create(resolveSettings({ tiles: 'auto' }))
    let withoutTiles = 0
    let withTiles = 0
    for (const file of files) {
      const a = await off.kindle(path.join(dir, file))
      const b = await auto.kindle(path.join(dir, file))
      withoutTiles += a.length
      withTiles += b.length
      for (const f of b) {
        expect(f.x).toBeGreaterThanOrEqual(0)
        expect(f.y).toBeGreaterThanOrEqual(0)
        expect(f.x + f.w).toBeLessThanOrEqual(1920 + 1e-6) // every demo photo is 1920 px wide, landscape
        expect(f.score).toBeGreaterThanOrEqual(0.5)
      }
      for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) expect(iou(b[i], b[j])).toBeLessThanOrEqual(0.5)
    }
    console.log(`face-api demo photos, blazeface: ${withoutTiles} faces without tiles, ${withTiles} with tiles auto`)
    expect(withTiles).toBeGreaterThanOrEqual(withoutTiles)
    expect(withTiles).toBeGreaterThan(0)
  }, 120_000)
})
