// Issue 14, bug 4, end to end: the kindling progress and the Kindled tab agree at every moment, a finished job's banner
// goes when the project moves on, and a page open in Chromium follows what `kindling` commands in another process do
// to its project — counts, photos, boxes, runs — without a reload.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, ROOT, serve, type Served, stop } from './harness.js'
import { datasets } from '../helpers/fixtures.js'

const DATASETS = datasets
const DLIB_FACES = path.join(DATASETS, 'dlib-faces')
const DLIB_PHOTOS = fs.readdirSync(DLIB_FACES).filter((f) => f.endsWith('.jpg')).length
const GENKI_IMAGES = path.join(DATASETS, 'genki', 'images')

const WAIT = { timeout: 90_000, interval: 100 }
const TRAINING = { timeout: 300_000, interval: 250 }

let browser: Browser
const servers: Served[] = []
const tempDirs: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  for (const served of servers) await stop(served.child)
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/** A few GENKI photos copied to a temp folder (the shared datasets are read-only): a second import's worth. */
function someGenkiPhotos(n: number): string {
  const dir = path.join(tempDir('kindling-e2e-live-genki-'), 'more')
  fs.mkdirSync(dir)
  for (const name of fs.readdirSync(GENKI_IMAGES).sort().slice(0, n)) fs.copyFileSync(path.join(GENKI_IMAGES, name), path.join(dir, name))
  return dir
}

/** `kindling ARGS` as a user types it in a terminal beside the open studio. */
async function kindling(args: string[], home: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/kindling.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, KINDLING_HOME: home },
    timeout: TRAINING.timeout,
  })
  return stdout
}

async function openStudio(project: string, home: string): Promise<{ page: Page; pageErrors: string[]; close(): Promise<void> }> {
  const served = await serve(['--project', project], { KINDLING_HOME: home })
  servers.push(served)
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(served.url)
  await page.getByTestId('count-all').waitFor({ timeout: WAIT.timeout })
  return { page, pageErrors, close: () => context.close() }
}

interface Sample {
  at: number
  progress: string | null
  kindled: string
}

/** How long the two numbers may disagree while the second message of a commit is on its way. */
const MAX_SKEW_MS = 150

/** How long each spell of disagreement between the progress ("4 / 6") and the Kindled tab lasted, in ms. */
function disagreements(samples: Sample[]): number[] {
  const spells: number[] = []
  let since: number | null = null
  for (const s of samples) {
    const agree = Number(s.progress!.split(' / ')[0]) === Number(s.kindled)
    if (!agree) since ??= s.at
    else if (since !== null) {
      spells.push(s.at - since)
      since = null
    }
  }
  if (since !== null) spells.push(samples.at(-1)!.at - since)
  return spells
}

const count = async (page: Page, state: string) => Number(await page.getByTestId(`count-${state}`).textContent())

describe('Counts that agree, and pages that follow changes made elsewhere', () => {
  test('the kindling progress and the Kindled tab agree throughout; its banner goes when an import starts', async () => {
    const home = tempDir('kindling-e2e-live-home-')
    const { page, pageErrors, close } = await openStudio(tempDir('kindling-e2e-live-a-'), home)

    await page.getByTestId('import-path').fill(DLIB_FACES)
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => count(page, 'all'), WAIT).toBe(DLIB_PHOTOS)

    // Read both numbers every 10 ms while the job runs, in the page itself (one read sees one rendered state).
    await page.evaluate(`(() => {
      const samples = (window.__samples = [])
      const text = (id) => document.querySelector('[data-testid=' + id + ']')?.textContent ?? null
      window.__sampler = setInterval(
        () => samples.push({ at: performance.now(), progress: text('kindle-count'), kindled: text('count-kindled') }),
        10,
      )
    })()`)
    await page.getByTestId('kindle-teacher').selectOption('blazeface')
    await page.getByTestId('kindle-button').click()
    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    const samples = await page.evaluate<Sample[]>('(() => { clearInterval(window.__sampler); return window.__samples })()')

    const during = samples.filter((s) => s.progress !== null)
    expect(new Set(during.map((s) => s.progress)).size).toBeGreaterThan(2) // the progress moved while it was sampled
    // The counts and the progress of one commit are two messages, drawn a frame or two apart on a busy machine; the
    // bug was a disagreement for as long as a batch waited to be written (up to half a second, every batch).
    expect(disagreements(during).filter((ms) => ms > MAX_SKEW_MS)).toEqual([])
    expect(await page.getByTestId('kindle-summary').textContent()).toBe(`Kindled ${DLIB_PHOTOS} photos`)
    expect(await count(page, 'kindled')).toBe(DLIB_PHOTOS)

    // An import of more photos: the kindling summary ("Kindled 12 photos") no longer describes the project, and goes.
    await page.getByTestId('import-path').fill(someGenkiPhotos(3))
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    expect(await page.getByTestId('import-summary').textContent()).toContain('Imported 3 photos')
    expect(await page.getByTestId('kindle-summary').count()).toBe(0)
    expect(await page.getByTestId('kindle-progress').count()).toBe(0)
    await expect.poll(() => count(page, 'all'), WAIT).toBe(DLIB_PHOTOS + 3)

    // The import summary has its close button.
    await page.getByRole('region', { name: 'Import summary' }).getByRole('button', { name: 'Dismiss' }).click()
    expect(await page.getByTestId('import-summary').count()).toBe(0)

    expect(pageErrors).toEqual([])
    await close()
  }, 240_000)

  test('a Library and a Train page open in Chromium follow kindling import, kindle and train run in another process', async () => {
    const home = tempDir('kindling-e2e-live-home-')
    const project = tempDir('kindling-e2e-live-b-')
    const { page, pageErrors, close } = await openStudio(project, home)

    // A first import from the page: its summary is on screen, and the list shows its 3 photos.
    await page.getByTestId('import-path').fill(someGenkiPhotos(3))
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.locator('[data-testid=thumb] img').count(), WAIT).toBe(3)
    // Anything the page holds in memory is lost by a reload: this marker, and the selection, prove there was none.
    await page.evaluate('window.__notReloaded = true')
    const picked = await page.getByTestId('thumb').nth(1).getAttribute('title')
    await page.getByTestId('thumb').nth(1).click()
    await expect.poll(() => page.getByTestId('selection-count').textContent(), WAIT).toBe('1 selected')

    await kindling(['import', DLIB_FACES, '--project', project], home)
    await expect.poll(() => count(page, 'all'), WAIT).toBe(3 + DLIB_PHOTOS)
    expect(await count(page, 'new')).toBe(3 + DLIB_PHOTOS)
    await expect.poll(() => page.locator('[data-testid=thumb] img').count(), WAIT).toBe(3 + DLIB_PHOTOS)
    const names = await page.getByTestId('thumb').evaluateAll((cells) => cells.map((c) => c.getAttribute('title') ?? ''))
    expect(names.filter((title) => title.includes('dlib-faces')).length).toBe(DLIB_PHOTOS)
    // The photo the user picked is still the one selected, wherever the new photos put it.
    expect(await page.getByTestId('selection-count').textContent()).toBe('1 selected')
    expect(
      await page.locator('[data-testid=thumb][aria-selected=true]').evaluateAll((cells) => cells.map((c) => c.getAttribute('title'))),
    ).toEqual([picked])
    // "Imported 3 photos" was the page's import: the project has moved on since, and the summary is gone.
    expect(await page.getByTestId('import-summary').count()).toBe(0)

    await kindling(['kindle', '--project', project, '--teacher', 'blazeface'], home)
    const kindled = await kindledInStore(project)
    expect(kindled).toBeGreaterThan(0)
    await expect.poll(() => count(page, 'kindled'), WAIT).toBe(kindled)
    await expect.poll(() => page.getByTestId('thumb-boxes').count(), WAIT).toBeGreaterThan(0)
    expect(await page.evaluate('window.__notReloaded')).toBe(true)

    // The Train page, open while `kindling train` runs in the terminal: its run appears in the list, and ends done.
    await page.evaluate("location.hash = 'train'")
    await page.getByTestId('train-page').waitFor()
    expect(await page.locator('[data-testid=run-list] li').count()).toBe(0)
    await kindling(['train', '--project', project, '--epochs', '1', '--batch-size', '2', '--name', 'from the terminal', '--seed', '7'], home)
    await expect.poll(() => page.locator('[data-testid=run-list] li').count(), WAIT).toBe(1)
    const run = page.locator('[data-testid=run-list] li').first()
    expect(await run.textContent()).toContain('from the terminal')
    await expect.poll(() => run.locator('.run-state').textContent(), WAIT).toBe('done')
    expect(await page.evaluate('window.__notReloaded')).toBe(true)

    expect(pageErrors).toEqual([])
    await close()
  }, 600_000)
})

/** Photos the project's database says are kindled (the page is checked against the store, not against itself). */
async function kindledInStore(project: string): Promise<number> {
  const { openDatabase } = await import('../../src/main/store/database.js')
  const db = openDatabase(path.join(project, 'studio.db'))
  try {
    return db.prepare<[], { n: number }>("SELECT n FROM tallies WHERE key = 'state:kindled'").get()!.n
  } finally {
    db.close()
  }
}
