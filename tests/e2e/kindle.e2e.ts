// Kindling from the Library page, end to end: the real CLI in serve mode, the built renderer, Debian's Chromium, the
// demo project's group photos and the real teachers on worker threads. Waits on what the user sees, never on a delay.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, ROOT, serve, type Served, stop } from './harness.js'
import { dlibFaces } from '../helpers/fixtures.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/kindle.png')
const DLIB_FACES = dlibFaces

const WAIT = { timeout: 90_000, interval: 100 }

let browser: Browser
let served: Served | undefined
let selectionServer: Served | undefined
const tempDirs: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  if (served) await stop(served.child)
  if (selectionServer) await stop(selectionServer.child)
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

describe('Kindling from the Library', () => {
  test('kindles the demo photos: progress with a count, then boxes on the thumbnails; Enter opens Review; Cancel keeps what was done', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-kindle-'))
    tempDirs.push(home)
    served = await serve([], { KINDLING_HOME: home })
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(served.url)

    await page.getByTestId('create-demo').click()
    await page.getByTestId('import-summary').waitFor()
    await expect.poll(() => page.getByTestId('count-all').textContent(), WAIT).toBe('6')
    expect(await page.getByTestId('thumb-boxes').count()).toBe(0)

    // The ensemble exercises both teachers on the worker threads; its name is what the API validates.
    await page.getByTestId('kindle-teacher').selectOption('ensemble(ssd-mobilenetv1+blazeface,union-nms)')
    await page.getByTestId('kindle-min-score').fill('0.5')
    await page.getByTestId('kindle-button').click()

    // Loading the teachers on the workers takes seconds: the progress (with its Cancel) is on screen meanwhile.
    const progress = page.getByTestId('kindle-progress')
    await progress.waitFor()
    expect(await page.getByTestId('kindle-cancel').isVisible()).toBe(true)
    expect(await page.getByRole('progressbar', { name: 'Kindling progress' }).count()).toBe(1)
    await expect.poll(() => page.getByTestId('kindle-count').textContent(), WAIT).toMatch(/^\d+ \/ 6$/)
    expect(await page.getByTestId('kindle-button').isDisabled()).toBe(true)

    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    expect(await page.getByTestId('kindle-summary').textContent()).toBe('Kindled 6 photos')
    await expect.poll(() => page.getByTestId('count-kindled').textContent(), WAIT).toBe('6')

    // Each group photo has faces: every thumbnail carries its kindled boxes, dashed, inside the photo's frame.
    await expect.poll(() => page.getByTestId('thumb-boxes').count(), WAIT).toBe(6)
    const rects = page.locator('[data-testid=thumb-boxes] rect.is-kindled')
    expect(await rects.count()).toBeGreaterThanOrEqual(6)
    const inside = await page.getByTestId('thumb-boxes').evaluateAll((svgs) =>
      (svgs as unknown as SvgLike[]).every((svg) => {
        const [, , w, h] = svg.getAttribute('viewBox')!.split(' ').map(Number)
        return [...svg.querySelectorAll('rect')].every((r) => {
          const n = (a: string) => Number(r.getAttribute(a))
          return n('x') >= 0 && n('y') >= 0 && n('x') + n('width') <= w + 0.5 && n('y') + n('height') <= h + 0.5
        })
      }),
    )
    expect(inside).toBe(true)
    await page.screenshot({ path: SCREENSHOT })

    // Enter on the focused thumbnail, and a double-click, hand the photo to Review through the URL hash.
    await page.getByRole('grid').focus()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Enter')
    await expect.poll(() => hashOf(page), WAIT).toMatch(/^#review\?image=\d+$/)
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toMatch(/^sample\d\.jpg$/)
    await openLibrary(page)
    const first = page.getByTestId('thumb').first()
    const firstName = path.basename((await first.getAttribute('title'))!.split('\n')[0])
    await first.dblclick()
    await expect.poll(() => hashOf(page), WAIT).toMatch(/^#review\?image=\d+$/)
    // The Review page opens at that very photo, with the boxes kindled on it.
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(firstName)
    await expect.poll(() => page.getByTestId('review-box').count(), WAIT).toBeGreaterThan(0)
    await openLibrary(page)

    // Kindle again with another teacher over every unreviewed photo, and cancel: what was done is kept, and it says so.
    await page.getByTestId('kindle-teacher').selectOption('ssd-mobilenetv1')
    await page.getByTestId('kindle-scope').selectOption('unreviewed')
    await page.getByTestId('kindle-button').click()
    await page.getByTestId('kindle-cancel').click()
    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    expect(await page.getByTestId('kindle-summary').textContent()).toMatch(/^Kindling cancelled · \d+ photos? kindled and kept$/)
    expect(await page.getByTestId('kindle-button').isDisabled()).toBe(false)

    expect(pageErrors).toEqual([])
    await context.close()
  }, 240_000)

  test('kindles only the photos selected with a click and a Shift+click less a Ctrl+click, with zoom-out off', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-select-'))
    tempDirs.push(project)
    selectionServer = await serve(['--project', project])
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(selectionServer.url)

    await page.getByTestId('import-path').fill(DLIB_FACES)
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.locator('[data-testid=thumb] img').count(), WAIT).toBe(12)
    const thumbs = page.getByTestId('thumb')
    const selected = page.locator('[data-testid=thumb][aria-selected=true]')

    // Nothing selected: "Selected photos" cannot be chosen.
    expect(await page.getByTestId('selection-count').count()).toBe(0)
    expect(await page.locator('[data-testid=kindle-scope] option[value=selected]').isDisabled()).toBe(true)

    // Click the 2nd photo, Shift+click the 4th (2nd–4th), Ctrl+click the 3rd off: the 2nd and the 4th remain.
    await thumbs.nth(1).click()
    await thumbs.nth(3).click({ modifiers: ['Shift'] })
    await expect.poll(() => page.getByTestId('selection-count').textContent(), WAIT).toBe('3 selected')
    await thumbs.nth(2).click({ modifiers: ['Control'] })
    await expect.poll(() => page.getByTestId('selection-count').textContent(), WAIT).toBe('2 selected')
    const names = await selected.evaluateAll((cells) => cells.map((c) => c.getAttribute('title')))
    expect(names).toEqual([await thumbs.nth(1).getAttribute('title'), await thumbs.nth(3).getAttribute('title')])
    expect(await thumbs.nth(1).getAttribute('class')).toContain('is-selected')

    // Ctrl+A selects all twelve, Escape clears, and the two are picked again.
    await page.getByRole('grid').focus()
    await page.keyboard.press('Control+a')
    await expect.poll(() => page.getByTestId('selection-count').textContent(), WAIT).toBe('12 selected')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('selection-count').count(), WAIT).toBe(0)
    expect(await selected.count()).toBe(0)
    await thumbs.nth(1).click()
    await thumbs.nth(3).click({ modifiers: ['Control'] })
    await expect.poll(() => page.getByTestId('selection-count').textContent(), WAIT).toBe('2 selected')

    await page.getByTestId('kindle-scope').selectOption('selected')
    expect(await page.locator('[data-testid=kindle-scope] option:checked').textContent()).toBe('Selected photos (2)')
    await page.getByTestId('kindle-options-toggle').click()
    expect(await page.getByTestId('kindle-zoom-out').isChecked()).toBe(true)
    await page.getByTestId('kindle-zoom-out').uncheck()
    await page.getByTestId('kindle-tiles').selectOption('off')
    await page.getByTestId('kindle-button').click()

    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    expect(await page.getByTestId('kindle-summary').textContent()).toBe('Kindled 2 photos')
    await expect.poll(() => page.getByTestId('count-kindled').textContent(), WAIT).toBe('2')
    expect(await page.getByTestId('count-new').textContent()).toBe('10')
    // The two kindled are the two selected (still selected: kindling does not end a selection).
    const kindled = () =>
      thumbs.evaluateAll((cells) =>
        cells.filter((c) => / Kindled, /.test(c.getAttribute('aria-label') ?? '')).map((c) => c.getAttribute('title')),
      )
    await expect.poll(kindled, WAIT).toEqual(names)
    expect(await selected.evaluateAll((cells) => cells.map((c) => c.getAttribute('title')))).toEqual(names)

    // Clear in the toolbar ends the selection, and the scope goes back to what can be kindled.
    await page.getByTestId('selection-clear').click()
    expect(await selected.count()).toBe(0)
    expect(await page.getByTestId('kindle-scope').inputValue()).toBe('new')

    expect(pageErrors).toEqual([])
    await context.close()
  }, 240_000)
})

/** What of the overlay the test reads, typed here because the test is compiled without the DOM library. */
interface SvgLike {
  getAttribute(name: string): string | null
  querySelectorAll(selector: 'rect'): Iterable<{ getAttribute(name: string): string | null }>
}

async function openLibrary(page: Page) {
  await page.evaluate("location.hash = 'library'")
  await page.getByTestId('thumb').first().waitFor()
}

const hashOf = (page: Page) => page.evaluate<string>('location.hash')
