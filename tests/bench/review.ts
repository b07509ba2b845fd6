// The Review page at 100,000 photos, in Chromium against the real `kindling serve`: the time from "next photo" (the key
// press) to the photo decoded and its boxes drawn, and from an edit (a key press) to the page showing "Saved" — for the
// default queue and for the teacher-score sort and each filter. Also the store's queue step on its own, against the
// whole-queue ranking the first cut used, so the ratio shows what the keyset step (migration 5) buys.
//
//   npm run bench -- review [--presses=40] [--edits=50] [--pause=250] [--images=100000]
//
// The photos are the dlib-faces set (read-only) behind 100,000 symbolic links in a temp folder: every image row has a
// path of its own, and the browser fetches and decodes a real JPEG for each (its cache is keyed by image id).
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { splitFor } from '../../src/main/jobs/index.js'
import { Store } from '../../src/main/store/index.js'
import { launchChromium, serve, stop } from '../e2e/harness.js'
import { dlibFaces, tempDir } from '../helpers/fixtures.js'
import { median, round, table, timeMedian } from './util.js'

// The page's globals, typed here because this file compiles without the DOM library.
type PageGlobals = {
  __pressedAt: number
  addEventListener(type: string, listener: () => void, options: { capture: boolean }): void
  document: { querySelector(selector: string): { dataset: Record<string, string | undefined> } | null }
}

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback)

interface Queue {
  name: string
  filter: string
  sort: string
  classId?: number
  split?: string
}

const QUEUES: Queue[] = [
  { name: 'unreviewed · file name (default)', filter: 'unreviewed', sort: 'name' },
  { name: 'unreviewed · teacher score', filter: 'unreviewed', sort: 'score' },
  { name: 'all · newest', filter: 'all', sort: 'newest' },
  { name: 'reviewed · teacher score', filter: 'reviewed', sort: 'score' },
  { name: 'kindled, low score · teacher score', filter: 'low-score', sort: 'score' },
  { name: 'no boxes · file name', filter: 'no-boxes', sort: 'name' },
  { name: 'class dog · file name', filter: 'all', sort: 'name', classId: 2 },
  { name: 'split val · teacher score', filter: 'unreviewed', sort: 'score', split: 'val' },
]

export default async function reviewBench() {
  const images = arg('images', 100_000)
  const presses = arg('presses', 40)
  const edits = arg('edits', 50)
  const pause = arg('pause', 250)

  const t = performance.now()
  const { dir, deepId } = await buildProject(images)
  const buildSec = (performance.now() - t) / 1000
  console.log(`Project of ${images} photos built in ${buildSec.toFixed(1)} s (${dir})\n`)

  // ---- the store's queue step alone: keyset seek vs. ranking the whole queue (the first cut) ----
  const store = Store.open(dir)
  const storeRows: Record<string, string | number>[] = []
  for (const [i, q] of QUEUES.entries()) {
    const opts = { filter: q.filter, sort: q.sort, lowScore: 0.5, classId: q.classId, split: q.split } as Parameters<Store['queueStep']>[0]
    // From a photo half-way down this queue.
    const total = store.queuePosition(opts, 1).total
    let at = store.reviewQueue(opts, { offset: Math.floor(total / 2), limit: 1 }).ids[0]
    const middle = at
    const stepMs = await timeMedian(
      () => {
        at = store.queueStep(opts, at, 'next', 1)[0] ?? middle
      },
      200,
      10,
    )
    const positionMs = await timeMedian(() => store.queuePosition(opts, middle), 10, 1)
    const row: Record<string, string | number> = { queue: q.name, photos: total, 'step ms': stepMs, 'place (count) ms': positionMs }
    if (i < 2) {
      const firstCutMs = await timeMedian(() => firstCutWindow(store, q, middle), 5, 1)
      Object.assign(row, { 'first cut ms': firstCutMs, 'first cut / step': Math.round(firstCutMs / stepMs) })
    } else Object.assign(row, { 'first cut ms': '', 'first cut / step': '' })
    storeRows.push(row)
  }
  store.close()
  console.log('Store, one queue step from the photo half-way down each queue, and counting its place (medians):')
  console.log(table(storeRows))

  // ---- the page in Chromium ----
  const server = await serve(['--project', dir])
  const browser = await launchChromium()
  const rows: Record<string, string | number>[] = []
  const all: Record<string, number[]> = {}
  let editSamples: number[]
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage()
    page.on('pageerror', (error) => console.error('page error:', error.message))
    // Open at a photo deep in the default queue (#review?image=ID): a step costs the same there as at the start.
    await page.goto(`${server.url}#review?image=${deepId}`)
    await page.getByTestId('review-name').waitFor({ timeout: 60_000 })
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals
      w.addEventListener('keydown', () => (w.__pressedAt = performance.now()), { capture: true })
    })
    await waitDrawn(page, null)

    for (const [i, q] of QUEUES.entries()) {
      if (i > 0) await chooseQueue(page, q)
      all[q.name] = await nextPresses(page, presses, pause)
      const s = all[q.name]
      rows.push({ queue: q.name, presses: s.length, 'median ms': median(s), 'p90 ms': quantile(s, 0.9), 'max ms': Math.max(...s) })
    }
    // A person who holds → down: no pause, so the photo after may not be fetched ahead yet.
    await chooseQueue(page, QUEUES[0])
    const noPause = await nextPresses(page, presses, 0)
    rows.push({
      queue: `${QUEUES[0].name}, no pause`,
      presses: noPause.length,
      'median ms': median(noPause),
      'p90 ms': quantile(noPause, 0.9),
      'max ms': Math.max(...noPause),
    })

    editSamples = await editPresses(page, edits, pause)
  } finally {
    await browser.close()
    await stop(server.child)
  }

  console.log(`\nChromium, key press → photo decoded and boxes drawn (pause between presses ${pause} ms):`)
  console.log(table(rows))
  console.log(
    `\nChromium, edit key press → "Saved" shown: ${editSamples.length} edits, median ${median(editSamples).toFixed(1)} ms, ` +
      `p90 ${quantile(editSamples, 0.9).toFixed(1)} ms, max ${Math.max(...editSamples).toFixed(1)} ms`,
  )
  const medians = QUEUES.map((q) => median(all[q.name]))
  return {
    images,
    nextPhotoMs: round(median(all[QUEUES[0].name]), 1),
    editAckMs: round(median(editSamples), 1),
    nextPhotoMsScoreSort: round(median(all[QUEUES[1].name]), 1),
    nextPhotoMsWorstQueue: round(Math.max(...medians), 1),
  }
}

/** Press → until the next photo is drawn, `n` times; the in-page times from the keydown to the "drawn" mark. */
async function nextPresses(page: Page, n: number, pause: number): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    const before = await page.getByTestId('review-stage').getAttribute('data-drawn')
    await page.keyboard.press('ArrowRight')
    const ms = await waitDrawn(page, before)
    if (ms === null) break // the end of the queue
    samples.push(ms)
    if (pause) await page.waitForTimeout(pause)
  }
  return samples
}

/** Wait until the stage says another photo is drawn; the time from the last keydown to its mark (null: none came). */
async function waitDrawn(page: Page, before: string | null): Promise<number | null> {
  try {
    await page.waitForFunction(
      (prev) => {
        const drawn = (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=review-stage]')?.dataset.drawn
        return drawn !== undefined && drawn !== prev
      },
      before,
      { timeout: 10_000, polling: 'raf' },
    )
  } catch {
    return null
  }
  return page.evaluate(() => {
    const marks = performance.getEntriesByName('review:drawn')
    return marks[marks.length - 1].startTime - (globalThis as unknown as PageGlobals).__pressedAt
  })
}

/** Edits by key on the selected box — smiling on and off, class 2 and back — each timed to the "Saved" mark. */
async function editPresses(page: Page, n: number, pause: number): Promise<number[]> {
  // A photo with a box: the default queue's photos all have one unless they are in the no-boxes tenth.
  for (let i = 0; i < 20 && (await page.getByTestId('review-box').count()) === 0; i++) {
    const before = await page.getByTestId('review-stage').getAttribute('data-drawn')
    await page.keyboard.press('ArrowRight')
    await waitDrawn(page, before)
  }
  await page.keyboard.press('Tab') // select the first box
  const keys = ['s', '2', 's', '1']
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    const marks = await page.evaluate(() => performance.getEntriesByName('review:saved').length)
    await page.keyboard.press(keys[i % keys.length])
    await page.waitForFunction((m) => performance.getEntriesByName('review:saved').length > m, marks, { timeout: 10_000, polling: 'raf' })
    const shown = await page.getByTestId('save-state').textContent()
    if (shown !== 'Saved') throw new Error(`after an edit the page says ${shown}`)
    samples.push(
      await page.evaluate(() => {
        const saved = performance.getEntriesByName('review:saved')
        return saved[saved.length - 1].startTime - (globalThis as unknown as PageGlobals).__pressedAt
      }),
    )
    if (pause) await page.waitForTimeout(pause)
  }
  return samples
}

async function chooseQueue(page: Page, q: Queue) {
  const before = await page
    .getByTestId('review-stage')
    .getAttribute('data-drawn')
    .catch(() => null)
  await page.getByTestId('review-filter').selectOption(q.filter)
  await page.getByTestId('review-sort').selectOption(q.sort)
  await page.getByTestId('review-class-filter').selectOption(q.classId ? String(q.classId) : '')
  await page.getByTestId('review-split-filter').selectOption(q.split ?? '')
  await waitDrawn(page, before)
  await page.waitForTimeout(500) // the queue's first photo settles and its neighbours are fetched
}

/**
 * The project: `n` photos (symlinks to the dlib-faces JPEGs), 60 % kindled with one to three teacher boxes scored
 * 0.3–1.0, 10 % reviewed with human boxes, one in twenty without boxes, one in seventeen with a "dog" box; split by
 * file name as import does. Rows go in through SQL in one transaction, with the real schema and triggers.
 */
async function buildProject(n: number): Promise<{ dir: string; deepId: number }> {
  const root = tempDir('kindling-bench-review-')
  const dir = path.join(root, 'project')
  const photos = fs
    .readdirSync(dlibFaces)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
  const sizes = await Promise.all(
    photos.map(async (f) => {
      const m = await sharp(path.join(dlibFaces, f)).metadata()
      const rotated = (m.orientation ?? 1) >= 5
      return { file: path.join(dlibFaces, f), width: rotated ? m.height! : m.width!, height: rotated ? m.width! : m.height! }
    }),
  )
  const store = Store.open(dir, { create: true })
  store.db.prepare("INSERT INTO classes (name, color, position) VALUES ('dog', '#2ec4b6', 1)").run()
  const insertImage = store.db.prepare(
    `INSERT INTO images (id, path, sha256, bytes, mtime_ms, width, height, format, split, imported_at, kindled_at, reviewed_at)
     VALUES (?, ?, ?, 1, 1, ?, ?, 'jpeg', ?, 1, ?, ?)`,
  )
  const insertBox = store.db.prepare(
    `INSERT INTO boxes (image_id, class_id, x, y, w, h, source, teacher, teacher_version, score, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`,
  )
  for (let s = 0; s < 100; s++) fs.mkdirSync(path.join(root, 'photos', `set${s}`), { recursive: true })
  store.db.transaction(() => {
    for (let id = 1; id <= n; id++) {
      const photo = sizes[id % sizes.length]
      const name = `img_${((id * 7919) % n).toString().padStart(6, '0')}.jpg`
      const file = path.join(root, 'photos', `set${id % 100}`, name)
      fs.symlinkSync(photo.file, file)
      const kindled = id % 10 < 6
      const reviewed = id % 10 === 9
      insertImage.run(id, file, `sha-${id}`, photo.width, photo.height, splitFor(name), kindled ? 1 : null, reviewed ? 2 : null)
      if (id % 20 === 7) continue // no boxes
      const count = 1 + (id % 3)
      for (let b = 0; b < count; b++) {
        const w = Math.round(photo.width / 6)
        const h = Math.round(photo.height / 5)
        const x = Math.round((b * photo.width) / 3 + 10)
        const y = Math.round(photo.height / 3)
        const classId = id % 17 === 0 && b === 0 ? 2 : 1
        if (kindled && !reviewed) {
          const score = 0.3 + ((id * 37 + b * 11) % 70) / 100
          insertBox.run(id, classId, x, y, w, h, 'kindled', 'ssd-mobilenetv1', '1.7.15', score)
        } else insertBox.run(id, classId, x, y, w, h, 'human', null, null, null)
      }
    }
  })()
  const deepId = Math.round(n * 0.7) + 1 // unreviewed, with boxes
  store.close()
  return { dir, deepId }
}

/** The first cut's queue window (a rank over the whole filtered queue), kept here only to measure against. */
function firstCutWindow(store: Store, q: Queue, around: number) {
  const where = q.filter === 'unreviewed' ? "WHERE state != 'reviewed'" : ''
  const min = `(SELECT min(b.score) FROM boxes b WHERE b.image_id = images.id AND b.source = 'kindled')`
  const [key, order, hint] = q.sort === 'score' ? [min, 'k IS NULL, k ASC, path ASC, id ASC', 'MATERIALIZED'] : ['NULL', 'path ASC, id ASC', '']
  const sql = `WITH q AS ${hint} (SELECT id, path, ${key} AS k FROM images ${where})
    SELECT rank FROM (SELECT id, row_number() OVER (ORDER BY ${order}) - 1 AS rank FROM q) WHERE id = ?`
  return store.db.prepare(sql).get(around)
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
