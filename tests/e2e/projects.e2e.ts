// Projects from the UI, end to end (issue 14, item 5): a second project created from the project menu, switching between
// the two through the recent list (by mouse and by keyboard), the question before a switch would cancel a running
// import, a missing project removed from the list, and the list surviving a restart of `kindling serve`. KINDLING_HOME
// points at a temp folder, so the user's own recent list is never touched.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, ROOT, serve as startServe, type Served, stop } from './harness.js'
import { dlibFaces, genkiImages } from '../helpers/fixtures.js'

const DLIB_FACES = dlibFaces
// 7,172 photos: an import that is still running when the test asks to switch projects.
const GENKI_IMAGES = genkiImages
const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/projects-menu.png')

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

describe('projects in serve mode', () => {
  test('creates a second project from the menu, switches through the recent list, and keeps the list across a restart', async () => {
    const home = tempDir('home')
    const a = path.join(tempDir('a'), 'Garden camera')
    const b = path.join(tempDir('b'), 'Robot arm')
    const gone = path.join(tempDir('gone'), 'Old rover')

    // Project A with two photos, imported with the CLI (copies: the shared datasets are read-only).
    const photos = tempDir('photos')
    for (const name of fs
      .readdirSync(DLIB_FACES)
      .filter((f) => f.endsWith('.jpg'))
      .slice(0, 2)) {
      fs.copyFileSync(path.join(DLIB_FACES, name), path.join(photos, name))
    }
    await promisify(execFile)(process.execPath, ['bin/kindling.js', 'import', photos, '--project', a], {
      cwd: ROOT,
      env: { ...process.env, KINDLING_HOME: home },
    })

    const first = await serve(['--project', a], { KINDLING_HOME: home })
    let page = await openPage(first.url)
    await expectProject(page, 'Garden camera', 2)

    // A third project, opened once and deleted once B is open, to show as missing.
    await createFromMenu(page, gone)
    await expectProject(page, 'Old rover', 0)

    // B, created from the project menu's dialog.
    await createFromMenu(page, b)
    await expectProject(page, 'Robot arm', 0)
    fs.rmSync(path.dirname(gone), { recursive: true })

    // The recent list: B (open, checked), the missing one greyed with Remove, A.
    await openMenu(page)
    await expect
      .poll(() => recentRows(page), WAIT)
      .toEqual([
        { dir: b, text: expect.stringContaining('Robot arm'), checked: 'true', missing: false },
        { dir: gone, text: expect.stringContaining('Missing'), checked: null, missing: true },
        { dir: a, text: expect.stringContaining('Garden camera'), checked: 'false', missing: false },
      ])
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })
    await page.getByTestId('recent-remove').click()
    await expect.poll(() => recentRows(page).then((rows) => rows.map((row) => row.dir)), WAIT).toEqual([b, a])

    // Back to A by mouse: its name, counts and photos replace B's on every page.
    await page.locator(`[data-testid=recent-project][data-dir="${a}"]`).click()
    await expectProject(page, 'Garden camera', 2)
    await expect.poll(() => page.getByTestId('project-menu').getAttribute('aria-expanded'), WAIT).toBe('false')
    // Focus settles once React has closed the menu: poll, as for everything else on screen.
    await expect.poll(() => focusedTestId(page), WAIT).toBe('project-menu')

    // To B by keyboard: Enter opens the menu on its first item (A, now the latest), ArrowDown moves to B, Enter opens it.
    await page.keyboard.press('Enter')
    await expect.poll(() => focusedTestId(page), WAIT).toBe('recent-project')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await expectProject(page, 'Robot arm', 0)
    // Escape closes the menu and hands focus back to the project's name.
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('menu').count(), WAIT).toBe(1)
    await page.keyboard.press('Escape')
    expect(await page.getByRole('menu').count()).toBe(0)
    await expect.poll(() => focusedTestId(page), WAIT).toBe('project-menu')
    // An outside click closes it too.
    await openMenu(page)
    await page.getByTestId('stat-photos').click()
    expect(await page.getByRole('menu').count()).toBe(0)

    // A long import in B: switching asks first and names it; "Keep working" leaves B and its import alone.
    await page.getByTestId('import-path').fill(GENKI_IMAGES)
    await page.getByTestId('import-button').click()
    await expect.poll(() => page.getByTestId('stat-photos').textContent(), WAIT).not.toBe('0')
    await openMenu(page)
    await page.locator(`[data-testid=recent-project][data-dir="${a}"]`).click()
    const question = page.getByTestId('switch-confirm')
    await question.waitFor()
    expect(await question.textContent()).toContain('An import is running. Opening Garden camera cancels it')
    await page.screenshot({ path: SCREENSHOT.replace('menu', 'question') })
    await question.getByRole('button', { name: 'Keep working' }).click()
    await expect.poll(() => question.count(), WAIT).toBe(0)
    expect(await page.getByTestId('project-name').textContent()).toBe('Robot arm')
    const importedBefore = Number((await page.getByTestId('stat-photos').textContent())!.replace(/\D/g, ''))
    await expect
      .poll(async () => Number((await page.getByTestId('stat-photos').textContent())!.replace(/\D/g, '')), WAIT)
      .toBeGreaterThan(importedBefore)

    // Agreeing cancels the import (keeping its photos) and opens A.
    await page.locator(`[data-testid=recent-project][data-dir="${a}"]`).click()
    await question.waitFor()
    await page.getByTestId('switch-confirm-go').click()
    await expectProject(page, 'Garden camera', 2)

    // And back to B, nothing running now: no question.
    await openMenu(page)
    await page.locator(`[data-testid=recent-project][data-dir="${b}"]`).click()
    await expect.poll(() => page.getByTestId('project-name').textContent(), WAIT).toBe('Robot arm')
    expect(await question.count()).toBe(0)
    expect(pageErrors).toEqual([])
    await context!.close()
    context = undefined

    // A restart with no --project reopens B, the last one, and the list still holds both.
    await stop(first.child)
    const second = await serve([], { KINDLING_HOME: home })
    page = await openPage(second.url)
    await expect.poll(() => page.getByTestId('project-name').textContent(), WAIT).toBe('Robot arm')
    await openMenu(page)
    await expect
      .poll(() => recentRows(page).then((rows) => rows.map((row) => [row.dir, row.checked])), WAIT)
      .toEqual([
        [b, 'true'],
        [a, 'false'],
      ])

    // The demo from the menu: the same form as Welcome's, its folder under KINDLING_HOME unless changed.
    await page.getByTestId('menu-create-demo').click()
    const demo = page.getByTestId('demo-dialog')
    expect(await demo.getByRole('textbox').inputValue()).toBe(path.join(home, 'Demo'))
    await demo.getByTestId('create-demo').click()
    await expectProject(page, 'Demo', 6)
    await openMenu(page)
    await expect.poll(() => recentRows(page).then((rows) => rows.map((row) => row.dir)), WAIT).toEqual([path.join(home, 'Demo'), b, a])
    expect(pageErrors).toEqual([])
  })

  test('Welcome lists the recent projects, a missing one greyed with Remove', async () => {
    const home = tempDir('home')
    const gone = path.join(os.tmpdir(), 'kindling-e2e-never-made', 'Lost project')
    fs.writeFileSync(path.join(home, 'recent.json'), JSON.stringify({ projects: [gone] }))
    const { url } = await serve([], { KINDLING_HOME: home })
    const page = await openPage(url)

    const card = page.getByTestId('welcome-recent-card')
    await card.waitFor()
    const row = card.getByTestId('welcome-recent')
    expect(await row.getAttribute('data-dir')).toBe(gone)
    expect(await row.textContent()).toContain('Missing')
    await page.screenshot({ path: SCREENSHOT.replace('menu', 'welcome') })
    await row.getByRole('button', { name: 'Remove Lost project (missing) from the list' }).click()
    await expect.poll(() => card.textContent(), WAIT).toContain('Projects you open or create appear here')
    expect(JSON.parse(fs.readFileSync(path.join(home, 'recent.json'), 'utf8'))).toEqual({ projects: [] })
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

/** The top bar names the project and counts its photos, and the Library shows that many. */
async function expectProject(page: Page, name: string, photos: number) {
  await expect.poll(() => page.getByTestId('project-name').textContent(), WAIT).toBe(name)
  await expect.poll(() => page.getByTestId('stat-photos').textContent(), WAIT).toBe(String(photos))
  await expect.poll(() => page.getByTestId('thumb').count(), WAIT).toBe(photos)
}

async function openMenu(page: Page) {
  await page.getByTestId('project-menu').click()
  await page.getByRole('menu').waitFor()
}

/** Project menu → Open or create a project… → type the folder → Open project. */
async function createFromMenu(page: Page, dir: string) {
  await openMenu(page)
  await page.getByTestId('menu-open-project').click()
  const dialog = page.getByTestId('open-project-dialog')
  await dialog.getByTestId('open-path').fill(dir)
  await page.screenshot({ path: SCREENSHOT.replace('menu', 'open-dialog') })
  await dialog.getByTestId('open-project').click()
  await expect.poll(() => dialog.count(), WAIT).toBe(0)
}

/** What of a recent-list row the test checks, typed here because the test itself is compiled without the DOM library. */
interface RowElement {
  dataset: { dir?: string }
  textContent: string | null
  classList: { contains(name: string): boolean }
  getAttribute(name: string): string | null
}

function recentRows(page: Page) {
  return page.getByTestId('recent-project').evaluateAll((rows) =>
    (rows as unknown as RowElement[]).map((row) => ({
      dir: row.dataset.dir,
      text: row.textContent,
      checked: row.getAttribute('aria-checked'),
      missing: row.classList.contains('is-missing'),
    })),
  )
}

function focusedTestId(page: Page) {
  return page.evaluate(() =>
    (globalThis as unknown as { document: { activeElement: RowElement | null } }).document.activeElement?.getAttribute('data-testid'),
  )
}
