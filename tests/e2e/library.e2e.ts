// The Library, end to end: the real CLI in serve mode, the built renderer, Debian's Chromium. Each test waits on what
// the user would see (a summary, loaded thumbnails, a message), never on a fixed delay.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { Store } from '../../src/main/store/index.js'
import { launchChromium, ROOT, serve as startServe, type Served, stop } from './harness.js'
import { dlibFaces } from '../helpers/fixtures.js'

const DLIB_FACES = dlibFaces
const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/library.png')

/** For expect.poll: long enough for a slow machine, polled often enough not to slow a fast one. */
const WAIT = { timeout: 60_000, interval: 100 }

const servers: Served[] = []
const tempDirs: string[] = []
let browser: Browser
let context: BrowserContext | undefined
let pageErrors: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterEach(async () => {
  await context?.close()
  context = undefined
})

afterAll(async () => {
  await browser?.close()
  await Promise.all(servers.map(({ child }) => stop(child)))
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

describe('Library in serve mode', () => {
  test('imports a folder through the UI and shows every photo', async () => {
    const { url } = await serve(['--project', path.join(tempDir('project'), 'Garden camera')])
    const page = await openPage(url)

    await expect.poll(() => page.getByTestId('project-name').textContent(), WAIT).toBe('Garden camera')
    await page.getByTestId('import-path').fill(DLIB_FACES)
    await page.getByTestId('import-button').click()

    await page.getByTestId('import-summary').waitFor()
    expect(await page.getByTestId('import-summary').textContent()).toContain('Imported 12 photos')
    await waitForThumbnails(page, 12)
    expect(await page.getByTestId('thumb').count()).toBe(12)
    expect(await page.getByTestId('count-all').textContent()).toBe('12')
    expect(await page.getByTestId('count-new').textContent()).toBe('12')
    expect(await page.getByTestId('count-kindled').textContent()).toBe('0')
    expect(await page.getByTestId('count-reviewed').textContent()).toBe('0')
    // The status bar says which backend would train (no native TensorFlow here: wasm with the studio's kernels).
    expect(await page.getByTestId('backend').textContent()).toBe('wasm 4.22.0 · 1 thread')

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(pageErrors).toEqual([])
  })

  test('a wrong token gets a clear "not authorised" message, not a blank page', async () => {
    const { url } = servers[0] ?? (await serve(['--project', tempDir('project')]))
    const wrong = new URL(url)
    wrong.searchParams.set('token', 'not-the-token')
    const page = await openPage(wrong.href)

    const notice = page.getByTestId('not-authorised')
    await notice.waitFor()
    expect(await notice.textContent()).toContain('Not authorised')
    expect(pageErrors).toEqual([])
  })

  test('with no project open, the Welcome screen creates the demo project', async () => {
    const home = tempDir('home')
    const { url } = await serve([], { KINDLING_HOME: home })
    const page = await openPage(url)

    const create = page.getByTestId('create-demo')
    await create.waitFor()
    expect(await page.getByRole('textbox', { name: 'Create it in' }).inputValue()).toBe(path.join(home, 'Demo'))
    await create.click()

    await expect.poll(() => page.getByTestId('project-name').textContent(), WAIT).toBe('Demo')
    await page.getByTestId('import-summary').waitFor()
    await waitForThumbnails(page, 6)
    expect(await page.getByTestId('thumb').count()).toBe(6)
    expect(await page.getByTestId('count-all').textContent()).toBe('6')
    expect(pageErrors).toEqual([])
  })
})

describe('Library at 100,000 photos', () => {
  test('renders only the rows in view, and End reaches the last photo', async () => {
    const dir = path.join(tempDir('big'), 'Big')
    const store = Store.open(dir, { create: true })
    for (let start = 0; start < 100_000; start += 10_000) {
      store.addImages(
        Array.from({ length: 10_000 }, (_, i) => ({
          path: `/photos/img_${String(start + i).padStart(6, '0')}.jpg`,
          sha256: `${start + i}`.padStart(64, '0'),
          bytes: 1,
          mtimeMs: 1,
          width: 640,
          height: 480,
          format: 'jpeg',
          split: 'train' as const,
        })),
      )
    }
    store.close()
    const { url } = await serve(['--project', dir])
    const page = await openPage(url)

    await expect.poll(() => page.getByTestId('count-all').textContent(), WAIT).toBe('100000')
    await page.getByTestId('thumb').first().waitFor()
    const rendered = () => page.getByTestId('thumb').count()
    expect(await rendered()).toBeLessThan(200)

    await page.getByRole('grid').focus()
    await page.keyboard.press('End')
    const last = page.locator('[data-testid=thumb][aria-label^="img_099999.jpg"]')
    await expect.poll(() => last.count(), WAIT).toBe(1)
    expect(await rendered()).toBeLessThan(200)
    expect(pageErrors).toEqual([])
  })
})

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kindling-e2e-${name}-`))
  tempDirs.push(dir)
  return dir
}

/** Start `kindling serve` and remember it, to stop it after the tests. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const served = await startServe(args, env)
  servers.push(served)
  return served
}

async function openPage(url: string): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  pageErrors = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(url)
  return page
}

/** What of an <img> the test checks, typed here because the test itself is compiled without the DOM library. */
interface ThumbnailCell {
  querySelector(selector: 'img'): { complete: boolean; naturalWidth: number } | null
}

/** Wait until the grid shows exactly `count` photo cells, each with its thumbnail decoded. */
async function waitForThumbnails(page: Page, count: number): Promise<void> {
  const state = () =>
    page.getByTestId('thumb').evaluateAll((cells) => ({
      cells: cells.length,
      loaded: (cells as unknown as ThumbnailCell[]).filter((cell) => {
        const img = cell.querySelector('img')
        return img !== null && img.complete && img.naturalWidth > 0
      }).length,
    }))
  await expect.poll(state, WAIT).toEqual({ cells: count, loaded: count })
}
