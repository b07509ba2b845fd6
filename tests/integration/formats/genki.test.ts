// A published COCO file on real photos: GENKI-SZSL's val split (681 photos, 683 boxes, 2 of them running over the edge).
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { importLabels } from '../../../src/main/formats/index.js'
import type { Store } from '../../../src/main/store/index.js'
import { datasets, genkiImages, tempDir } from '../../helpers/fixtures.js'
import { newStore } from './helpers.js'

let store: Store | undefined
afterEach(() => store?.close())

it("imports GENKI-SZSL val's COCO labels with its photos, clipping the boxes that run over the edge", async () => {
  const labelsFile = path.join(datasets, 'genki', 'szsl-val.coco.json')
  const json = JSON.parse(fs.readFileSync(labelsFile, 'utf8')) as { images: { file_name: string }[] }
  const photos = path.join(tempDir(), 'images')
  fs.mkdirSync(photos)
  for (const { file_name } of json.images) fs.copyFileSync(path.join(genkiImages, file_name), path.join(photos, file_name))

  store = newStore()
  const result = await importLabels(store, { labelsFile, imagesDir: photos })
  expect(result).toMatchObject({ formats: ['coco'], images: 681, boxes: 683, clipped: 2, newClasses: [] })
  expect(store.counts()).toMatchObject({ images: 681, boxes: 683 })
  // Every photo of GENKI's val split lands in the project's val split: the same sha1(name) rule.
  expect(store.db.prepare("SELECT count(*) AS n FROM images WHERE split = 'val'").get()).toEqual({ n: 681 })
}, 120_000)
