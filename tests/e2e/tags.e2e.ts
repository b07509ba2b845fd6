// Image tags, end to end: four GENKI-4K photos imported by the CLI with their smile labels (`--tags genki4k-smile.csv
// --tag-columns smile=smiling`), `kindling serve`, the built renderer in Debian's Chromium. In Review, M flips the
// photo's smiling tag (a person's say over the imported one), Ctrl+Z takes it back and Ctrl+Shift+Z redoes it, each
// checked on screen once "Saved" and in the project file; then the Library's tag filter lists the tagged photos.
import { type ChildProcess, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Store } from '../../src/main/store/index.js'
import { datasets, genkiImages } from '../helpers/fixtures.js'
import { launchChromium, ROOT, serve, stop } from './harness.js'

const WAIT = { timeout: 30_000, interval: 50 }
const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/tags.png')
// GENKI-4K's people say the first two smile and the last two do not.
const PHOTOS = ['file0000000000000001.jpg', 'file0000000000000002.jpg', 'file0000000000002301.jpg', 'file0000000000003117.jpg']

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

function makeProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-tags-'))
  temp.push(root)
  const photos = path.join(root, 'photos')
  fs.mkdirSync(photos)
  for (const f of PHOTOS) fs.copyFileSync(path.join(genkiImages, f), path.join(photos, f))
  const csv = path.join(root, 'genki4k-smile.csv')
  const lines = fs.readFileSync(path.join(datasets, 'genki', 'genki4k-smile.csv'), 'utf8').split(/\r?\n/)
  fs.writeFileSync(csv, [lines[0], ...lines.filter((l) => PHOTOS.includes(l.split(',')[0]))].join('\n') + '\n')
  const dir = path.join(root, 'Tags project')
  const imported = spawnSync(
    process.execPath,
    ['bin/kindling.js', 'import', photos, '--tags', csv, '--tag-columns', 'smile=smiling', '--project', dir],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KINDLING_HOME: path.join(root, 'home') } },
  )
  if (imported.status !== 0) throw new Error(`kindling import failed: ${imported.stderr}`)
  expect(imported.stdout).toContain('Imported 4 tag values (smiling) on 4 photos; 2 set, 2 not set')
  return dir
}

function smilingOf(dir: string, name: string): { value: boolean; source: string } | undefined {
  const store = Store.open(dir)
  try {
    const id = (store.db.prepare('SELECT id FROM images WHERE path LIKE ?').get(`%/${name}`) as { id: number }).id
    const tag = store.tags(id).find((t) => t.name === 'smiling')
    return tag && { value: tag.value, source: tag.source }
  } finally {
    store.close()
  }
}

const saved = (page: Page) => expect.poll(() => page.getByTestId('save-state').textContent(), WAIT).toBe('Saved')
const shownTag = (page: Page) =>
  page
    .locator('[data-testid="tag-item"][data-tag="smiling"]')
    .evaluate((el) => `${el.getAttribute('data-value')}/${el.getAttribute('data-source')}`)

describe('image tags in serve mode', () => {
  test('M toggles the smiling tag, undo and redo take it back and forth, the Library filters by it', async () => {
    const dir = makeProject()
    const server = await serve(['--project', dir])
    children.push(server.child)
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    page.on('pageerror', (error) => {
      throw error
    })
    await page.goto(server.url)
    await page.getByTestId('nav-review').click()
    await expect.poll(() => page.getByTestId('review-name').textContent(), WAIT).toBe(PHOTOS[0])

    // The imported label, shown with where it came from; the cheat sheet names the key.
    await expect.poll(() => shownTag(page), WAIT).toBe('true/imported')
    expect(await page.getByTestId('cheat-sheet').textContent()).toContain('toggle the photo’s smiling tag')

    await page.keyboard.press('m')
    await saved(page)
    await expect.poll(() => shownTag(page), WAIT).toBe('false/human')
    expect(smilingOf(dir, PHOTOS[0])).toEqual({ value: false, source: 'human' })

    await page.keyboard.press('Control+z')
    await saved(page)
    await expect.poll(() => shownTag(page), WAIT).toBe('true/imported')
    expect(smilingOf(dir, PHOTOS[0])).toEqual({ value: true, source: 'imported' })

    await page.keyboard.press('Control+Shift+z')
    await saved(page)
    await expect.poll(() => shownTag(page), WAIT).toBe('false/human')
    expect(smilingOf(dir, PHOTOS[0])).toEqual({ value: false, source: 'human' })

    // T tags the photo with a name of one's own.
    await page.keyboard.press('t')
    await page.getByTestId('tag-add-name').fill('glasses')
    await page.keyboard.press('Enter')
    await saved(page)
    await expect.poll(() => page.locator('[data-testid="tag-item"][data-tag="glasses"]').getAttribute('data-value'), WAIT).toBe('true')

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })

    // The Library: only the photo people (and now this person) say smiles, then the other three.
    await page.getByTestId('nav-library').click()
    const thumbs = page.getByTestId('thumb')
    await expect.poll(() => thumbs.count(), WAIT).toBe(4)
    const filter = page.getByTestId('library-tag-filter')
    await expect.poll(() => filter.locator('option').count(), WAIT).toBe(5) // any, glasses, not glasses, smiling, not smiling
    await filter.selectOption('is:smiling')
    await expect.poll(() => thumbs.count(), WAIT).toBe(1)
    expect(await thumbs.first().getAttribute('aria-label')).toContain(PHOTOS[1])
    await filter.selectOption('not:smiling')
    await expect.poll(() => thumbs.count(), WAIT).toBe(3)
    await filter.selectOption('')
    await expect.poll(() => thumbs.count(), WAIT).toBe(4)
    await context.close()
  })
})
