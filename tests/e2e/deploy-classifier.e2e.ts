// A whole-image classifier deployed from the Devices page, end to end: a project of red or blue squares tagged `red`
// (imported with a CSV, as `kindling import --tags` does) and a one-epoch classifier run trained from the command
// line. The Devices page offers the run among the trained runs, as a classifier of its tag with its accuracy and the
// verdict by accuracy; "Deploy and benchmark" on This computer times it and fills the live numbers as for a detector.
// int8 is offered for it as for a detector: the Train page's Export with int8 shows its cost as val accuracy fp32 →
// int8, "Deploy…" hands the checkpoint to the Devices page with the run's verdict, where int8 shows that cost and a
// deployment at int8 is timed. Waits on what the user sees.
import { type ChildProcess, execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tempDir } from '../helpers/fixtures.js'
import { launchChromium, ROOT, serve, stop } from './harness.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/deploy-classifier.png')
const WAIT = { timeout: 60_000, interval: 100 }
const RUNNER = path.join(ROOT, 'resources/runner/kindling-runner.cjs')
const SIZE = 40
const PHOTOS = 24

let browser: Browser
const children: ChildProcess[] = []
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

/** Red (even) and blue (odd) squares on grey noise, and the CSV of their `red` tag. */
async function squares(dir: string): Promise<string> {
  const rows = ['file,red']
  let state = 9
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (let i = 0; i < PHOTOS; i++) {
    const red = i % 2 === 0
    const data = Buffer.alloc(SIZE * SIZE * 3)
    for (let p = 0; p < data.length; p++) data[p] = 100 + Math.floor(random() * 56)
    const side = Math.floor(SIZE * (0.45 + random() * 0.3))
    const [x0, y0] = [Math.floor(random() * (SIZE - side)), Math.floor(random() * (SIZE - side))]
    for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) data.set(red ? [220, 30, 30] : [30, 30, 220], (y * SIZE + x) * 3)
    const file = `square-${String(i).padStart(2, '0')}.png`
    await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toFile(path.join(dir, file))
    rows.push(`${file},${red ? 1 : 0}`)
  }
  fs.writeFileSync(path.join(dir, 'tags.csv'), rows.join('\n') + '\n')
  return path.join(dir, 'tags.csv')
}

beforeAll(async () => {
  if (!fs.existsSync(RUNNER)) execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-runner.js')])
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await Promise.all(children.map(stop))
})

describe('A classifier on the Devices page', () => {
  test('is offered by its accuracy, deployed to This computer and timed; exported and deployed at int8 with its accuracy cost', async () => {
    const home = tempDir('kindling-e2e-deploy-classifier-home-')
    const photos = tempDir('kindling-e2e-deploy-classifier-photos-')
    const project = path.join(tempDir('kindling-e2e-deploy-classifier-'), 'Squares')
    const env = { ...process.env, KINDLING_HOME: home, KINDLING_BACKEND: 'wasm', KINDLING_TRAIN_WORKERS: '1' }
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/kindling.js'), ...args], { cwd: ROOT, env })
    const csv = await squares(photos)
    await cli('import', photos, '--tags', csv, '--project', project)
    await cli('train', '--project', project, '--tag', 'red', '--epochs', '1', '--batch-size', '8', '--name', 'Red squares')

    const server = await serve(['--project', project], { KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' })
    children.push(server.child)
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${server.url}#devices`)
    await page.getByTestId('devices-page').waitFor()

    // The run is offered as a classifier of its tag, by accuracy; classifier presets have their own group.
    const groups = page.locator('[data-testid=deploy-preset] optgroup')
    await expect.poll(() => groups.first().getAttribute('label'), WAIT).toMatch(/^Trained runs/)
    const option = groups.first().locator('option').first()
    expect(await option.textContent()).toMatch(/^Red squares · classifier of red · mobilenet-classifier-160 · accuracy \d+ % · /)
    await expect
      .poll(() => groups.evaluateAll((els) => els.map((e) => e.getAttribute('label'))), WAIT)
      .toContain('Whole-image classifier presets (random weights)')
    // The newest run is the one chosen; its verdict is by accuracy.
    await expect.poll(() => page.getByTestId('deploy-preset').inputValue(), WAIT).toBe(await option.getAttribute('value'))
    expect(await text(page, 'deploy-run-explanation')).toMatch(/^Red squares: Accuracy \d+%/)
    // int8 is offered for a classifier as for a detector, and the precision comparison with it.
    expect(await page.getByTestId('deploy-precision').isDisabled()).toBe(false)
    expect(await page.getByTestId('deploy-precision').getAttribute('title')).toMatch(/a classifier's accuracy/)
    expect(await page.getByTestId('deploy-compare-precisions').isDisabled()).toBe(false)
    // Before an int8 export, int8 says where its cost on val comes from.
    await page.getByTestId('deploy-precision').selectOption('int8')
    await expect.poll(() => text(page, 'deploy-int8-cost'), WAIT).toMatch(/export it with int8 on the Train page/)
    await page.getByTestId('deploy-precision').selectOption('fp32')

    await page.getByTestId('deploy-iterations').fill('3')
    await page.getByTestId('deploy-start').click()
    // One epoch may be weak or not: a weak run is deployed after the question.
    if ((await text(page, 'deploy-run-verdict')) === 'Weak') await page.getByTestId('deploy-confirm-yes').click()
    await expect.poll(() => text(page, 'live-status'), { ...WAIT, timeout: 120_000 }).toMatch(/^Red squares \(epoch 1\) · done/)
    expect(await text(page, 'stat-p50')).toMatch(/^\d+\.\d ms$/)
    expect(await text(page, 'live-runtime')).toMatch(/^ONNX Runtime · \d+ threads? · fp32$/)
    await expect.poll(() => page.getByTestId('history-row').count(), WAIT).toBe(1)
    expect(await page.getByTestId('history-row').first().textContent()).toContain('Red squares (epoch 1)')
    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    // The Train page: Export with int8, its cost the val accuracy fp32 → int8; "Deploy…" hands the checkpoint over
    // with the run's verdict, and int8 there shows that cost and is timed.
    await page.goto(`${server.url}#train`)
    await page.getByTestId('train-page').waitFor()
    await page.locator('[data-testid=run-list] li').first().click()
    await page.getByTestId('export-start').waitFor({ timeout: WAIT.timeout })
    await page.getByTestId('export-int8').check()
    await page.getByTestId('export-start').click()
    const cost = /^int8 on \d+ val photos: accuracy \d\.\d{3} → \d\.\d{3} \([+-]\d\.\d{3}\)$/
    await expect.poll(() => text(page, 'export-int8-cost'), { ...WAIT, timeout: 120_000 }).toMatch(cost)
    const exportCost = await text(page, 'export-int8-cost')
    const checkpoint = await text(page, 'run-checkpoint')
    await page.getByTestId('run-deploy').click()
    await page.getByTestId('devices-page').waitFor()
    await expect.poll(() => page.getByTestId('deploy-model-dir').inputValue(), WAIT).toBe(checkpoint)
    await expect.poll(() => text(page, 'deploy-run-explanation'), WAIT).toMatch(/^Red squares: Accuracy \d+%/)
    await page.getByTestId('deploy-precision').selectOption('int8')
    await expect.poll(() => text(page, 'deploy-int8-cost'), WAIT).toBe(`Red squares (its epoch 1 export): ${exportCost}`)
    await page.getByTestId('deploy-start').click()
    if ((await text(page, 'deploy-run-verdict')) === 'Weak') await page.getByTestId('deploy-confirm-yes').click()
    await expect.poll(() => text(page, 'live-runtime'), { ...WAIT, timeout: 120_000 }).toMatch(/^ONNX Runtime · \d+ threads? · int8$/)
    await expect.poll(() => text(page, 'live-status'), { ...WAIT, timeout: 120_000 }).toMatch(/· done/)
    expect(pageErrors).toEqual([])
    await page.close()
  }, 300_000)
})
