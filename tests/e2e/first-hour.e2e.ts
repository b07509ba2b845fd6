// A new user's first hour, from a clean checkout: the README's quick start command (`npm start`) builds the app and
// the device runner itself, and then, in Chromium, without another command: the demo project → kindle → review one
// photo → train a tiny run → deploy it on This computer and see its latency. The checkout is the repository's tracked
// files only (no out/, no resources/runner/: nothing pre-built); its node_modules is this one's, because `npm install`
// is the half of the README's command that CI itself runs on a clean clone (.ci/run), and it cannot run offline here.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, ROOT } from './harness.js'

const WAIT = { timeout: 90_000, interval: 100 }
const LONG = { timeout: 540_000, interval: 250 }

let browser: Browser
let started: ChildProcess | undefined
const tempDirs: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  if (started) await stopGroup(started)
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

/** The README's quick start block: the command lines a newcomer is told to run, in order. */
function quickStartCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const section = /^## Quick start\n([\s\S]*?)\n## /m.exec(readme)?.[1]
  if (!section) throw new Error('README.md has no "## Quick start" section')
  return section
    .split('\n')
    .filter((line) => line.startsWith('    ') && !line.trimStart().startsWith('#'))
    .map((line) => line.trim())
}

/** A checkout of the repository's tracked files (as they are in this working tree), with no build output in it. */
function cleanCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-first-hour-'))
  tempDirs.push(dir)
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean)
  for (const file of files) {
    const from = path.join(ROOT, file)
    if (!fs.existsSync(from)) continue // deleted in the working tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.copyFileSync(from, path.join(dir, file))
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  return dir
}

/** `npm start` in its own process group (npm → start.js → serve), resolving with the URL the studio prints. */
function npmStart(cwd: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn('npm', ['start'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  started = child
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const url = / at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output)?.[1]
      if (url) resolve({ url, child, output: () => output })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing the studio's URL:\n${output}`)))
  })
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-child.pid!, 'SIGTERM')
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

describe('The first hour, from a clean checkout', () => {
  test('npm start, then demo → kindle → review → train → deploy on This computer, with no other command', async () => {
    // The README tells a newcomer to install and start; this test runs the start half exactly as written.
    expect(quickStartCommands()).toContain('npm install && npm start')
    const checkout = cleanCheckout()
    expect(fs.existsSync(path.join(checkout, 'out'))).toBe(false)
    expect(fs.existsSync(path.join(checkout, 'resources/runner'))).toBe(false)
    const home = path.join(checkout, 'home')
    // PORT=0: a free port, so a studio the developer left running on the default one does not collide.
    const studio = await npmStart(checkout, { KINDLING_HOME: home, PORT: '0', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })
    expect(fs.existsSync(path.join(checkout, 'resources/runner/kindling-runner.cjs'))).toBe(true)

    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(studio.url)

    // The demo project, where the README says it goes.
    await page.getByTestId('create-demo').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('count-all').textContent(), WAIT).toBe('6')
    expect(fs.existsSync(path.join(home, 'Demo', 'studio.db'))).toBe(true)

    // Kindle every photo with the default teacher.
    await page.getByTestId('kindle-button').click()
    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('count-kindled').textContent(), WAIT).toBe('6')

    // Review: accept the first photo's kindled boxes.
    await page.getByTestId('nav-review').click()
    await page.getByTestId('review-name').waitFor({ timeout: WAIT.timeout })
    await page.getByTestId('accept').click()
    await expect.poll(() => page.getByTestId('stat-reviewed').textContent(), WAIT).toBe('1')

    // Train a tiny run: the half-width preset, one epoch.
    await page.getByTestId('nav-train').click()
    await page.getByTestId('train-page').waitFor()
    await expect.poll(() => page.locator('[data-testid=train-preset] option').count(), WAIT).toBeGreaterThan(0)
    // What the photos are worth, before training on them: the labelled photos by split, and that six are too few.
    await expect.poll(() => text(page, 'train-scope'), WAIT).toMatch(/\d+ train · \d+ val · \d+ test/)
    expect(await text(page, 'train-few-photos')).toContain('needs about 100')
    await page.getByTestId('train-preset').selectOption('mobilenet-ssd-320x240')
    await page.getByTestId('train-epochs').fill('1')
    await page.getByTestId('train-batchSize').fill('4')
    await page.getByTestId('train-name').fill('first run')
    await page.getByTestId('train-start').click()
    await expect.poll(() => text(page, 'run-detail-state'), LONG).toBe('done')
    const checkpoint = await text(page, 'run-checkpoint')
    expect(fs.existsSync(path.join(checkpoint, 'detector.json'))).toBe(true)

    // Deploy the run, chosen by its name, on This computer (the device every project has) and see its latency; the run
    // is weak, and the studio says so before it deploys.
    await page.getByTestId('nav-devices').click()
    await page.getByTestId('devices-page').waitFor()
    const run = page.locator('[data-testid=deploy-preset] optgroup').first().locator('option').first()
    await expect.poll(() => run.textContent(), WAIT).toMatch(/^first run · mobilenet-ssd-320x240/)
    // The run just trained is the model chosen (the presets stay in the list below it).
    expect(await page.getByTestId('deploy-preset').inputValue()).toBe(await run.getAttribute('value'))
    await page.getByTestId('deploy-iterations').fill('5')
    await page.getByTestId('deploy-start').click()
    expect(await text(page, 'deploy-confirm')).toContain('first run is a weak run')
    await page.getByTestId('deploy-confirm-yes').click()
    await expect.poll(() => text(page, 'live-status'), LONG).toMatch(/^first run \(epoch 1\) · done/)
    expect(await text(page, 'stat-samples')).toBe('5')
    expect(await text(page, 'stat-p50')).toMatch(/^\d+\.\d ms$/)
    expect(await page.getByTestId('history-row').first().textContent()).toContain('done')

    expect(pageErrors).toEqual([])
    await page.close()
  }, 900_000)
})
