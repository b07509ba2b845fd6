// Review, end to end: real photos imported by the CLI, `kindling serve`, the built renderer in Debian's Chromium. Each
// edit is made with the mouse or the keyboard as a person would, checked on screen once the toolbar says "Saved", and
// checked in the project file through a second connection — then the server is restarted and the page must show
// exactly what the file holds.
import { type ChildProcess, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Store } from '../../src/main/store/index.js'
import { dlibFaces as DLIB_FACES } from '../helpers/fixtures.js'
import { launchChromium, ROOT, serve as startServe, stop } from './harness.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/review.png')
const WAIT = { timeout: 30_000, interval: 50 }

let browser: Browser
const children: ChildProcess[] = []
const temp: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await Promise.all(children.map(stop))
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true })
})

/** The project: dlib-faces imported by the CLI, a second class, and one photo kindled with an unsure teacher box. */
function makeProject(): { dir: string; kindledName: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-review-'))
  temp.push(root)
  const dir = path.join(root, 'Review project')
  const imported = spawnSync(process.execPath, ['bin/kindling.js', 'import', DLIB_FACES, '--project', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  if (imported.status !== 0) throw new Error(`kindling import failed: ${imported.stderr}`)
  const store = Store.open(dir)
  store.db.prepare("INSERT INTO classes (name, color, position) VALUES ('dog', '#2ec4b6', 1)").run()
  const kindledName = 'dogs.jpg'
  const id = (store.db.prepare('SELECT id FROM images WHERE path LIKE ?').get(`%/${kindledName}`) as { id: number }).id
  // What the kindling job leaves behind: the image's kindled_at and a teacher box with its score.
  store.db.prepare('UPDATE images SET kindled_at = 1 WHERE id = ?').run(id)
  store.addBox({ imageId: id, classId: 1, x: 10, y: 10, w: 40, h: 40, source: 'kindled', teacher: 'ssd-mobilenet', score: 0.31 })
  store.close()
  return { dir, kindledName }
}

describe('Review in serve mode', () => {
  test('draw, move, resize, reclass, smile, delete, undo and redo, accept, filter, and the state survives a restart', async () => {
    const { dir, kindledName } = makeProject()
    let server = await serve(dir)
    let page = await openReview(server.url)

    // The first photo of the unreviewed queue (file-name order), shown large.
    const firstName = await page.getByTestId('review-name').textContent()
    expect(firstName).toBe('2007_007763.jpg')
    // Nothing undone yet: Redo is greyed out, its tooltip naming the keys that do the same.
    const undoButton = page.getByTestId('review-undo')
    const redoButton = page.getByTestId('review-redo')
    expect(await redoButton.isDisabled()).toBe(true)
    expect(await redoButton.getAttribute('title')).toContain('Ctrl+Shift+Z')
    expect(await undoButton.getAttribute('title')).toContain('Ctrl+Z')
    const photo = await waitForPhoto(page)
    const imageId = await idOf(dir, firstName!)
    const frame = withStore(dir, (s) => s.image(imageId)!) // the photo's own pixels, where boxes are measured

    // Draw a box by dragging across the photo.
    await dragOnPhoto(page, photo, [0.2, 0.2], [0.4, 0.5])
    await saved(page)
    const boxes = page.getByTestId('review-box')
    await expect.poll(() => boxes.count(), WAIT).toBe(1)
    const drawn = await rectOf(page)
    // Screen to image pixels through the displayed size: 20 % × 30 % of the photo, whatever its zoom on screen.
    expect(Math.abs(drawn.x - 0.2 * frame.width)).toBeLessThanOrEqual(2)
    expect(Math.abs(drawn.w - 0.2 * frame.width)).toBeLessThanOrEqual(2)
    expect(Math.abs(drawn.h - 0.3 * frame.height)).toBeLessThanOrEqual(2)
    expect(await boxes.first().getAttribute('data-source')).toBe('human')
    expect(storedBoxes(dir, imageId)).toEqual([expect.objectContaining({ ...drawn, classId: 1, source: 'human' })])

    // Move it: drag its middle; its size stays.
    await dragOnPhoto(page, photo, [0.3, 0.35], [0.4, 0.4])
    await saved(page)
    const afterMove = await waitForRect(page, (r) => r.x !== drawn.x)
    expect([afterMove.w, afterMove.h]).toEqual([drawn.w, drawn.h])
    expect(Math.abs(afterMove.x - drawn.x - 0.1 * frame.width)).toBeLessThanOrEqual(2)

    // Resize it by its bottom-right handle.
    const handle = (await page.getByTestId('handle-se').boundingBox())!
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
    await page.mouse.down()
    await page.mouse.move(handle.x + 40, handle.y + 30, { steps: 5 })
    await page.mouse.up()
    await saved(page)
    const afterResize = await waitForRect(page, (r) => r.w !== afterMove.w)
    expect([afterResize.x, afterResize.y]).toEqual([afterMove.x, afterMove.y])
    expect(afterResize.w).toBeGreaterThan(afterMove.w)

    // Class 2 by number key, then the smiling attribute.
    await page.keyboard.press('2')
    await expect.poll(() => boxes.first().getAttribute('data-class'), WAIT).toBe('dog')
    await saved(page)
    await page.keyboard.press('s')
    await expect.poll(() => boxes.first().getAttribute('data-smiling'), WAIT).toBe('true')
    await saved(page)
    expect(storedBoxes(dir, imageId)).toEqual([expect.objectContaining({ ...afterResize, classId: 2 })])

    // Delete it.
    await page.keyboard.press('Delete')
    await expect.poll(() => boxes.count(), WAIT).toBe(0)
    await saved(page)
    expect(storedBoxes(dir, imageId)).toEqual([])

    // Undo every step, back to the empty photo, checking each state on the way.
    const undo = () => page.keyboard.press('Control+z')
    const redo = () => page.keyboard.press('Control+Shift+z')
    // The whole box at once: checking the rectangle first and the class after could pass on the state before the step.
    const shownBox = async () => {
      if ((await boxes.count()) === 0) return null
      const b = boxes.first()
      return [await b.getAttribute('data-rect'), await b.getAttribute('data-class'), await b.getAttribute('data-smiling')]
    }
    const expectBox = async (rect: Rect | null, cls = 'face', smiling = 'false') => {
      const want = rect && [`${rect.x},${rect.y},${rect.w},${rect.h}`, cls, smiling]
      await expect.poll(shownBox, WAIT).toEqual(want)
      await saved(page)
      await expect.poll(shownBox, WAIT).toEqual(want)
    }
    await undo()
    await expectBox(afterResize, 'dog', 'true') // the delete
    await undo()
    await expectBox(afterResize, 'dog', 'false') // smiling
    await undo()
    await expectBox(afterResize, 'face') // class
    await undo()
    await expectBox(afterMove) // resize
    await undo()
    await expectBox(drawn) // move
    await undo()
    await expectBox(null) // the drawing
    // And redo them all, ending with the box deleted again.
    for (const [rect, cls, smiling] of [[drawn], [afterMove], [afterResize], [afterResize, 'dog'], [afterResize, 'dog', 'true'], [null]] as [
      Rect | null,
      string?,
      string?,
    ][]) {
      await redo()
      await expectBox(rect, cls, smiling)
    }
    // Keep the box for the rest of the test: undo the delete.
    await undo()
    await expectBox(afterResize, 'dog', 'true')
    // The toolbar's buttons do what the keys do: Undo takes the smile off, Redo puts it back, then the redo branch
    // holds only the delete — one more Redo would delete the box, so undo that too and Redo is offered again.
    await expect.poll(() => redoButton.isEnabled(), WAIT).toBe(true)
    await undoButton.click()
    await expectBox(afterResize, 'dog', 'false')
    await redoButton.click()
    await expectBox(afterResize, 'dog', 'true')
    await redoButton.click()
    await expectBox(null)
    await expect.poll(() => redoButton.isDisabled(), WAIT).toBe(true)
    expect(await redoButton.getAttribute('title')).toMatch(/^Nothing to redo/)
    await undoButton.click()
    await expectBox(afterResize, 'dog', 'true')
    await expect.poll(() => redoButton.isEnabled(), WAIT).toBe(true)
    // Each source has its own colour, and the label is a chip of that colour with dark text; the legend says which.
    const legend = await page.getByTestId('review-legend').locator('.legend-item').allTextContents()
    expect(legend.map((t) => t.trim())).toEqual(['human', 'kindled', 'predicted'])
    expect(await boxes.first().evaluate((g) => (g as unknown as { style: { color: string } }).style.color)).toBe('rgb(86, 180, 233)')
    expect(await boxes.first().getByTestId('review-label').locator('text').textContent()).toBe('dog · human · smiling')

    // Accept the photo: it is marked reviewed and the editor goes on to the next one in the queue.
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe('2008_001009.jpg')
    await saved(page)
    expect(stateOf(dir, imageId)).toBe('reviewed')
    // The accepted photo has left "unreviewed", yet Previous goes back to it, and Next returns.
    await expect.poll(() => page.getByTestId('review-previous').isEnabled(), WAIT).toBe(true)
    await page.getByTestId('review-previous').click()
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(firstName)
    expect(await page.getByTestId('review-state').textContent()).toBe('reviewed')
    await expect.poll(() => page.getByTestId('review-box').count(), WAIT).toBe(1)
    await expect.poll(() => page.getByTestId('review-next').isEnabled(), WAIT).toBe(true)
    await page.getByTestId('review-next').click()
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe('2008_001009.jpg')
    // The keys walk the same way.
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(firstName)
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe('2008_001009.jpg')
    // The header's numbers follow the edits (the studio announces each committed one).
    await expect.poll(() => page.getByTestId('stat-reviewed').textContent(), WAIT).toBe('1')
    expect(await page.getByTestId('stat-boxes').textContent()).toBe('2')

    // Filter the queue: reviewed photos are just the accepted one; low teacher score finds the kindled photo.
    await page.getByTestId('review-filter').selectOption('reviewed')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(firstName)
    await expect.poll(() => page.getByTestId('review-position').textContent(), WAIT).toBe('1 of 1')
    await page.getByTestId('review-filter').selectOption('low-score')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(kindledName)
    await expect.poll(() => page.getByTestId('review-position').textContent(), WAIT).toBe('1 of 1')
    expect(await boxes.first().getAttribute('data-source')).toBe('kindled')
    expect(await boxes.first().textContent()).toContain('kindled 0.31')
    // A kindled box is orange, not the person's blue.
    expect(await boxes.first().evaluate((g) => (g as unknown as { style: { color: string } }).style.color)).toBe('rgb(230, 159, 0)')
    // Filters combine: no low-score photo has a dog box.
    await page.getByTestId('review-class-filter').selectOption({ label: 'dog' })
    await expect.poll(() => page.getByTestId('review-empty').textContent(), WAIT).toBe('No photos in this queue.')
    await page.getByTestId('review-filter').selectOption('all')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(firstName)
    await expect.poll(() => page.getByTestId('review-position').textContent(), WAIT).toBe('1 of 1')
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })
    await page.context().close()

    // Restart the server: the page shows exactly what was saved.
    await stop(server.child)
    server = await serve(dir)
    page = await openReview(server.url)
    await page.getByTestId('review-filter').selectOption('reviewed')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(firstName)
    await waitForPhoto(page)
    expect(await page.getByTestId('review-state').textContent()).toBe('reviewed')
    await expect.poll(() => page.getByTestId('review-box').count(), WAIT).toBe(1)
    await expect
      .poll(() => page.getByTestId('review-box').first().getAttribute('data-rect'), WAIT)
      .toBe(`${afterResize.x},${afterResize.y},${afterResize.w},${afterResize.h}`)
    expect(await page.getByTestId('review-box').first().getAttribute('data-class')).toBe('dog')
    expect(await page.getByTestId('review-box').first().getAttribute('data-smiling')).toBe('true')
    expect(storedBoxes(dir, imageId)).toEqual([
      expect.objectContaining({ ...afterResize, classId: 2, attributes: { smiling: { value: true, source: 'human' } } }),
    ])
    // Undo still works after the restart: the edit log is in the file. The last edit was the acceptance.
    await page.keyboard.press('Control+z')
    await expect.poll(() => page.getByTestId('review-state').textContent(), WAIT).toBe('new')
    await saved(page)
    expect(stateOf(dir, imageId)).toBe('new')
    await page.context().close()
  })
})

describe('Review: open at a photo, zoom and pan, classes', () => {
  test('#review?image=ID opens that photo; Z zooms to the box, the wheel zooms around the pointer, Space pans, 0 fits; N adds a class; the score sort', async () => {
    const { dir, kindledName } = makeProject()
    const server = await serve(dir)
    const kindledId = await idOf(dir, kindledName)
    const frame = withStore(dir, (s) => s.image(kindledId)!)

    // A link straight to the kindled photo (the Library's), not the queue's first photo.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    page.on('pageerror', (error) => {
      throw error
    })
    await page.goto(`${server.url}#review?image=${kindledId}`)
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(kindledName)
    const queueNames = withStore(dir, (s) =>
      (s.db.prepare('SELECT path FROM images ORDER BY path').all() as { path: string }[]).map((r) => path.basename(r.path)),
    )
    const place = queueNames.indexOf(kindledName)
    await expect.poll(() => page.getByTestId('review-position').textContent(), WAIT).toBe(`${place + 1} of ${queueNames.length}`)
    // Previous and next follow the queue from there (dogs.jpg is last by name), and the URL names the photo shown (a
    // reload comes back to it).
    expect(place).toBeGreaterThan(0)
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(queueNames[place - 1])
    const nextId = await idOf(dir, queueNames[place - 1])
    await expect.poll(() => new URL(page.url()).hash, WAIT).toBe(`#review?image=${nextId}`)
    // A link followed while the page is open moves the editor too.
    await page.evaluate(`location.hash = '#review?image=${kindledId}'`)
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(kindledName)
    await waitForPhoto(page)
    const canvas = page.getByTestId('review-canvas')
    const zoom = async () => Number(await canvas.getAttribute('data-zoom'))
    expect(await zoom()).toBe(1)

    // Z: the selected box fills about 60 % of the canvas, centred.
    await page.keyboard.press('Tab')
    await page.keyboard.press('z')
    await expect.poll(zoom, WAIT).toBeGreaterThan(1)
    const area = (await canvas.boundingBox())!
    const box = (await page.getByTestId('review-box').first().locator('rect').first().boundingBox())!
    expect(Math.max(box.width / area.width, box.height / area.height)).toBeCloseTo(0.6, 1)
    expect(Math.abs(box.x + box.width / 2 - (area.x + area.width / 2))).toBeLessThan(3)
    expect(Math.abs(box.y + box.height / 2 - (area.y + area.height / 2))).toBeLessThan(3)

    // 0 fits the photo again.
    await page.keyboard.press('0')
    await expect.poll(zoom, WAIT).toBe(1)

    // The wheel zooms around the pointer: the photo pixel under it stays under it.
    let stage = (await page.getByTestId('review-stage').boundingBox())!
    const at = { x: stage.x + stage.width * 0.3, y: stage.y + stage.height * 0.6 }
    await page.mouse.move(at.x, at.y)
    await page.mouse.wheel(0, -300)
    await expect.poll(zoom, WAIT).toBeGreaterThan(1.3)
    stage = (await page.getByTestId('review-stage').boundingBox())!
    expect(Math.abs((at.x - stage.x) / stage.width - 0.3)).toBeLessThan(0.01)
    expect(Math.abs((at.y - stage.y) / stage.height - 0.6)).toBeLessThan(0.01)

    // Space + drag pans, and draws nothing.
    const boxes = page.getByTestId('review-box')
    const count = await boxes.count()
    await page.keyboard.down(' ')
    await page.mouse.down()
    await page.mouse.move(at.x - 80, at.y - 50, { steps: 5 })
    await page.mouse.up()
    await page.keyboard.up(' ')
    const panned = (await page.getByTestId('review-stage').boundingBox())!
    expect(panned.x - stage.x).toBeCloseTo(-80, 0)
    expect(panned.y - stage.y).toBeCloseTo(-50, 0)
    expect(await boxes.count()).toBe(count)

    // Drawing while zoomed and panned still lands in the photo's own pixels.
    const drawn = boxes.nth(count)
    await dragOnPhoto(page, panned, [0.5, 0.5], [0.6, 0.65])
    await saved(page)
    await expect.poll(() => boxes.count(), WAIT).toBe(count + 1)
    const [x, y, w, h] = (await drawn.getAttribute('data-rect'))!.split(',').map(Number)
    expect(Math.abs(x - 0.5 * frame.width)).toBeLessThanOrEqual(2)
    expect(Math.abs(y - 0.5 * frame.height)).toBeLessThanOrEqual(2)
    expect(Math.abs(w - 0.1 * frame.width)).toBeLessThanOrEqual(2)
    expect(Math.abs(h - 0.15 * frame.height)).toBeLessThanOrEqual(2)

    // H held hides the boxes.
    await page.keyboard.down('h')
    await expect.poll(() => page.getByTestId('review-overlay').getAttribute('class'), WAIT).toContain('is-hidden')
    await page.keyboard.up('h')
    await expect.poll(() => page.getByTestId('review-overlay').getAttribute('class'), WAIT).not.toContain('is-hidden')

    // N: add a class by name; its number key (3) then gives the selected box that class.
    await page.keyboard.press('n')
    await expect.poll(() => page.locator(':focus').getAttribute('data-testid'), WAIT).toBe('class-add-name')
    await page.keyboard.type('cat')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('class-item').count(), WAIT).toBe(3)
    expect(await page.getByTestId('class-item').nth(2).textContent()).toContain('cat')
    await page.keyboard.press('3') // the new box is still selected
    await expect.poll(() => drawn.getAttribute('data-class'), WAIT).toBe('cat')
    await saved(page)
    const cat = withStore(dir, (s) => s.classes().find((c) => c.name === 'cat')!)
    expect(cat.position).toBe(2)
    expect(storedBoxes(dir, kindledId)).toContainEqual(expect.objectContaining({ x, y, w, h, classId: cat.id }))
    // Zoomed in on a box, Tab walks to the next box and the view follows it.
    await page.keyboard.press('z')
    await page.keyboard.press('Tab')
    await expect.poll(() => boxes.first().getAttribute('class'), WAIT).toContain('is-selected')
    await expect
      .poll(async () => {
        const r = (await boxes.first().locator('rect').first().boundingBox())!
        const a = (await canvas.boundingBox())!
        return Math.round(Math.abs(r.x + r.width / 2 - (a.x + a.width / 2)) + Math.abs(r.y + r.height / 2 - (a.y + a.height / 2)))
      }, WAIT)
      .toBeLessThan(4)
    await page.keyboard.press('f')
    await expect.poll(zoom, WAIT).toBe(1)
    // A second "Cat" is refused with the studio's reason; so is deleting a class a box uses.
    await page.getByTestId('class-add-name').fill('Cat')
    await page.getByTestId('class-add').click()
    await expect.poll(() => page.getByTestId('class-error').textContent(), WAIT).toContain('already a class "cat"')
    await page.getByTestId('class-item').nth(2).hover() // the delete button shows on hover
    await page.getByRole('button', { name: 'Delete class cat' }).click()
    await expect.poll(() => page.getByTestId('class-error').textContent(), WAIT).toContain('1 box uses this class')
    expect(withStore(dir, (s) => s.classes().length)).toBe(3)

    // Class edits are in the undo log with box edits: Ctrl+Z takes a new class away, Ctrl+Shift+Z brings it back,
    // and the editor stays on its photo (a class edit is on none).
    const classNames = () => page.getByTestId('class-item').locator('.review-class-name').allTextContents()
    await page.getByTestId('class-add-name').fill('bird')
    await page.getByTestId('class-add').click()
    await expect.poll(classNames, WAIT).toEqual(['face', 'dog', 'cat', 'bird'])
    await page.keyboard.press('Control+z')
    await expect.poll(classNames, WAIT).toEqual(['face', 'dog', 'cat'])
    await saved(page)
    expect(withStore(dir, (s) => s.classes().map((c) => c.name))).toEqual(['face', 'dog', 'cat'])
    expect(await page.getByTestId('review-name').textContent()).toBe(kindledName)
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(classNames, WAIT).toEqual(['face', 'dog', 'cat', 'bird'])
    await saved(page)
    expect(withStore(dir, (s) => s.classes().map((c) => c.name))).toEqual(['face', 'dog', 'cat', 'bird'])
    expect(await page.getByTestId('review-name').textContent()).toBe(kindledName)

    await context.close()

    // Plain #review still opens the queue's first photo; a photo id that does not exist is named, not a blank page.
    for (const [hash, shows] of [
      ['#review', queueNames[0]],
      ['#review?image=99999', null],
    ] as const) {
      const fresh = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage()
      await fresh.goto(`${server.url}${hash}`)
      if (shows) await expect.poll(() => fresh.getByTestId('review-name').textContent(), WAIT).toBe(shows)
      else await expect.poll(() => fresh.getByTestId('review-empty').textContent(), WAIT).toContain('no image with id 99999')
      await fresh.context().close()
    }

    // The teacher-score sort puts the least confident kindled photo first; the rest follow by name.
    const sorted = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage()
    await sorted.goto(`${server.url}#review`)
    await sorted.getByTestId('review-name').waitFor()
    await sorted.getByTestId('review-sort').selectOption('score')
    await expect.poll(() => sorted.getByTestId('review-name').textContent(), WAIT).toBe(kindledName)
    await expect.poll(() => sorted.getByTestId('review-position').textContent(), WAIT).toBe(`1 of ${queueNames.length}`)
    await sorted.keyboard.press('ArrowRight')
    await expect.poll(() => sorted.getByTestId('review-name').textContent(), WAIT).toBe(queueNames[0])
    await expect.poll(() => sorted.getByTestId('review-position').textContent(), WAIT).toBe(`2 of ${queueNames.length}`)
    await sorted.context().close()
  })
})

interface Rect {
  x: number
  y: number
  w: number
  h: number
}
type Box = { x: number; y: number; width: number; height: number }

async function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const served = await startServe(['--project', dir])
  children.push(served.child)
  return served
}

async function openReview(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', (error) => {
    throw error
  })
  await page.goto(url)
  await page.getByTestId('nav-review').click()
  await page.getByTestId('review-name').waitFor()
  return page
}

/** The displayed photo's box on screen, once it has decoded. */
async function waitForPhoto(page: Page): Promise<Box> {
  const img = page.getByTestId('review-photo')
  await expect
    .poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth), WAIT)
    .toBeGreaterThan(0)
  return (await page.getByTestId('review-stage').boundingBox())!
}

async function dragOnPhoto(page: Page, photo: Box, from: [number, number], to: [number, number]) {
  await page.mouse.move(photo.x + from[0] * photo.width, photo.y + from[1] * photo.height)
  await page.mouse.down()
  await page.mouse.move(photo.x + to[0] * photo.width, photo.y + to[1] * photo.height, { steps: 8 })
  await page.mouse.up()
}

/** Wait until the indicator says every edit sent has been answered (and so committed). */
async function saved(page: Page) {
  await expect.poll(() => page.getByTestId('save-state').textContent(), WAIT).toBe('Saved')
}

async function rectOf(page: Page): Promise<Rect> {
  const [x, y, w, h] = (await page.getByTestId('review-box').first().getAttribute('data-rect'))!.split(',').map(Number)
  return { x, y, w, h }
}

async function waitForRect(page: Page, ok: (r: Rect) => boolean): Promise<Rect> {
  await expect.poll(async () => ok(await rectOf(page)), WAIT).toBe(true)
  return rectOf(page)
}

function withStore<T>(dir: string, read: (store: Store) => T): T {
  const store = Store.open(dir)
  try {
    return read(store)
  } finally {
    store.close()
  }
}

const idOf = async (dir: string, name: string) =>
  withStore(dir, (s) => (s.db.prepare('SELECT id FROM images WHERE path LIKE ?').get(`%/${name}`) as { id: number }).id)
const storedBoxes = (dir: string, imageId: number) => withStore(dir, (s) => s.boxes(imageId))
const stateOf = (dir: string, imageId: number) => withStore(dir, (s) => s.image(imageId)!.state)
