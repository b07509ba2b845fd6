// The store at Library scale: 100,000 images and 300,000 boxes, and the queries the Library and Review pages make on
// every scroll and every edit. Also the import rate on real photos (GENKI), end to end: read, hash, check, thumbnail,
// store.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { dispatch } from '../../src/main/dispatcher.js'
import { splitFor } from '../../src/main/jobs/index.js'
import type { NewImage } from '../../src/main/store/index.js'
import { Studio } from '../../src/main/studio.js'
import { genkiImages, tempDir } from '../helpers/fixtures.js'
import { round, table, timeMedian } from './util.js'

const IMAGES = 100_000
const BOXES_PER_IMAGE = 3

export default async function storeBench(args: string[]) {
  const importLimit = Number(args.find((a) => a.startsWith('--import-limit='))?.split('=')[1] ?? Infinity)

  // ---- build a 100,000-image project ----
  const studio = new Studio()
  await studio.openProject(path.join(tempDir('kindling-bench-'), 'big'), { create: true })
  const store = studio.project!
  let t = performance.now()
  for (let start = 0; start < IMAGES; start += 10_000) {
    const batch: NewImage[] = []
    for (let i = start; i < start + 10_000; i++) {
      const name = `img_${((i * 7919) % IMAGES).toString().padStart(6, '0')}.jpg`
      batch.push({
        path: `/photos/set${i % 40}/${name}`,
        sha256: randomBytes(32).toString('hex'),
        bytes: 50_000 + (i % 1000),
        mtimeMs: 1_700_000_000_000 + i,
        width: 640,
        height: 480,
        format: 'jpeg',
        split: splitFor(name),
      })
    }
    store.addImages(batch)
  }
  // Kindled on 60%, reviewed on 10%: the mix a project has a few evenings into review.
  store.db.exec(`UPDATE images SET kindled_at = 1 WHERE id % 10 < 6;
                 UPDATE images SET reviewed_at = 2 WHERE id % 10 = 0`)
  const insertBox = store.db.prepare(
    `INSERT INTO boxes (image_id, class_id, x, y, w, h, source, teacher, score, created_at, updated_at)
     VALUES (?, 1, 100, 80, 64, 64, 'kindled', 'ssd-mobilenetv1', 0.8, 0, 0)`,
  )
  store.db.transaction(() => {
    for (let id = 1; id <= IMAGES; id++) for (let b = 0; b < BOXES_PER_IMAGE; b++) insertBox.run(id)
  })()
  const buildMs = performance.now() - t
  const counts = store.counts()
  if (counts.images !== IMAGES || counts.boxes !== IMAGES * BOXES_PER_IMAGE) throw new Error('bench project is wrong')

  // ---- the queries the pages make ----
  let k = 0
  const deep = (total: number) => Math.floor(total * (0.5 + 0.45 * ((k++ * 0.618) % 1))) // spread over the back half
  const queries: [string, () => unknown][] = [
    [
      'filtered page (kindled, by name, deep)',
      () => store.page({ state: 'kindled', sort: 'name', offset: deep(counts.byState.kindled), limit: 200 }),
    ],
    [
      'filtered page (new, newest first, deep)',
      () => store.page({ state: 'new', sort: 'newest', offset: deep(counts.byState.new), limit: 200 }),
    ],
    ['all images page (by name, deep)', () => store.page({ sort: 'name', offset: deep(IMAGES), limit: 200 })],
    [
      'same page through the API dispatcher',
      () =>
        dispatch(studio, {
          id: 1,
          method: 'images.page',
          params: { state: 'kindled', sort: 'name', offset: deep(counts.byState.kindled), limit: 200 },
        }),
    ],
    ['counts by review state', () => store.counts()],
    ['boxes of one image', () => store.boxes(1 + (k++ % IMAGES))],
  ]
  const rows: { query: string; medianMs: number }[] = []
  for (const [query, fn] of queries) rows.push({ query, medianMs: await timeMedian(fn, 60, 5) })
  await studio.close()

  // ---- import rate on real photos ----
  const importer = new Studio()
  await importer.openProject(path.join(tempDir('kindling-bench-'), 'genki'), { create: true })
  t = performance.now()
  const job = importer.importFolder(genkiImages)
  if (Number.isFinite(importLimit)) {
    importer.on('event', (e) => e.event === 'job.progress' && e.payload.done >= importLimit && importer.cancelJob(job.id))
  }
  const imported = await job.finished
  const importSec = (performance.now() - t) / 1000
  await importer.close()

  console.log(`Project of ${IMAGES} images and ${counts.boxes} boxes built in ${(buildMs / 1000).toFixed(1)} s\n`)
  console.log(table(rows.map((r) => ({ query: r.query, 'median ms': r.medianMs }))))
  console.log(
    `\nImported ${imported.imported} GENKI photos in ${importSec.toFixed(1)} s ` +
      `(${(imported.imported / importSec).toFixed(0)}/s; ${imported.skipped.length} skipped, ${imported.duplicates} duplicates)`,
  )
  for (const s of imported.skipped.slice(0, 5)) console.log(`  skipped ${s.path}: ${s.reason}`)
  return {
    images: IMAGES,
    pageQueryMs: round(rows[0].medianMs),
    countsMs: round(rows[4].medianMs),
    importPerSec: round(imported.imported / importSec, 0),
  }
}
