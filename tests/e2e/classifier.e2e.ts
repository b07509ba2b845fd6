// A whole-image classifier from the Train page, end to end: a project of synthetic photos — a red or a blue square on
// grey noise — imported with a CSV of their `red` tag, as `kindling import --tags` does. A person chooses the Pi
// classifier, finds the tag to learn already chosen and the photos that have it counted by split, starts a short run,
// and sees it done with its accuracy, each class's precision and recall and the confusion matrix; then predicts the
// tag on the photos. Waits on what the user sees.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { describe, expect, test } from 'vitest'
import { e2eFile, ROOT } from './harness.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/classifier.png')
const WAIT = { timeout: 90_000, interval: 100 }
const TRAINING = { timeout: 300_000, interval: 250 }
const SIZE = 48
const PHOTOS = 60

const e2e = e2eFile('classifier')
const tempDir = () => e2e.tempDir()
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

/** The photos and their tags' CSV: even-numbered photos red, odd ones blue, squares placed by a fixed sequence. */
async function squares(dir: string): Promise<string> {
  const rows = ['file,red']
  let state = 5
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (let i = 0; i < PHOTOS; i++) {
    const red = i % 2 === 0
    const data = Buffer.alloc(SIZE * SIZE * 3)
    for (let p = 0; p < data.length; p++) data[p] = 100 + Math.floor(random() * 56)
    const side = Math.floor(SIZE * (0.45 + random() * 0.3))
    const x0 = Math.floor(random() * (SIZE - side))
    const y0 = Math.floor(random() * (SIZE - side))
    for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) data.set(red ? [220, 30, 30] : [30, 30, 220], (y * SIZE + x) * 3)
    const file = `square-${String(i).padStart(3, '0')}.png`
    await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toFile(path.join(dir, file))
    rows.push(`${file},${red ? 1 : 0}`)
  }
  const csv = path.join(dir, 'tags.csv')
  fs.writeFileSync(csv, rows.join('\n') + '\n')
  return csv
}

describe('A classifier from the Train page', () => {
  test('learns the red tag: scores on val shown, then predicted tags on the photos', { timeout: 600_000 }, async () => {
    const home = tempDir()
    const photos = tempDir()
    const project = path.join(tempDir(), 'project')
    const csv = await squares(photos)
    const env = { ...process.env, KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' }
    await promisify(execFile)(process.execPath, ['bin/kindling.js', 'import', photos, '--tags', csv, '--project', project], { cwd: ROOT, env })

    const served = await e2e.serve(['--project', project], { KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' })
    const page = await e2e.browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${served.url}#train`)
    await page.getByTestId('train-page').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.locator('[data-testid=train-preset] option').count(), WAIT).toBeGreaterThan(2)
    // The classifiers are offered in their own group, after the detectors.
    const groups = await page.locator('[data-testid=train-preset] optgroup').evaluateAll((els) => els.map((e) => e.getAttribute('label')))
    expect(groups).toEqual(['Detectors: find faces (boxes)', 'Whole-image classifiers: an image tag (e.g. smiling)'])
    const classifiers = await page.locator('[data-testid=train-preset] optgroup').nth(1).locator('option').allTextContents()
    expect(classifiers.map((o) => o.split(' — ')[0])).toEqual(['alexnet-classifier', 'mobilenet-classifier-160'])

    await page.getByTestId('train-preset').selectOption('mobilenet-classifier-160')
    // The project's only tag is chosen, and the split counts the photos that have it.
    await expect.poll(() => page.getByTestId('train-tag').inputValue(), WAIT).toBe('red')
    expect(await text(page, 'train-tag-hint')).toBe('two classes: red and not red; photos without the tag are left out')
    await expect
      .poll(() => text(page, 'train-scope'), WAIT)
      .toMatch(/^Photos with a red tag: \d+ train · \d+ val · \d+ test \(test is never trained on\)$/)
    expect(await page.getByTestId('train-few-photos').count()).toBe(0)
    // Ten epochs: with a seed drawn per run, six sometimes left a val photo wrong (0.875).
    await page.getByTestId('train-epochs').fill('10')
    await page.getByTestId('train-batchSize').fill('4')
    await page.getByTestId('train-learningRate').fill('0.002')
    await page.getByTestId('train-name').fill('red squares')
    await page.getByTestId('train-start').click()

    await expect.poll(() => text(page, 'run-detail-state'), TRAINING).toBe('done')
    expect(await text(page, 'run-tag')).toBe('red')
    await expect.poll(async () => Number(await text(page, 'run-best-accuracy')), WAIT).toBeGreaterThanOrEqual(0.9)
    expect(await text(page, 'run-detail-quality')).toBe('Good')
    // Each class's precision and recall, and the confusion matrix with a row and a column per class.
    const classRows = await page.locator('[data-testid=run-class-scores] tbody tr th').allTextContents()
    expect(classRows).toEqual(['not red', 'red'])
    const confusion = page.locator('[data-testid=run-confusion] tbody tr')
    expect(await confusion.count()).toBe(2)
    const cells = (await page.locator('[data-testid=run-confusion] tbody td').allTextContents()).map(Number)
    const photosLine = await text(page, 'run-photos')
    const valPhotos = Number(/· (\d+) val/.exec(photosLine)![1])
    expect(cells.reduce((a, b) => a + b, 0)).toBe(valPhotos)
    // The run list says accuracy, not AP50; a classifier is not fine-tuned with classes; it is exported (int8 too, its
    // cost by accuracy) and deployed like a detector (tests/e2e/deploy-classifier.e2e.ts).
    expect(await page.locator('[data-testid=run-list] li').first().textContent()).toMatch(
      /mobilenet-classifier-160 · tag red.*accuracy \d\.\d{3}/,
    )
    expect(await page.getByTestId('run-finetune').count()).toBe(0)
    expect(await page.getByTestId('run-deploy').count()).toBe(1)
    expect(await page.getByTestId('export-start').count()).toBe(1)
    expect(await page.getByTestId('export-int8').count()).toBe(1)
    expect(await page.locator('label:has([data-testid=export-int8])').getAttribute('title')).toMatch(/scored against fp32 on val \(accuracy\)$/)

    // Predict the tag on every photo.
    expect(await page.getByTestId('predict-min-score').count()).toBe(0)
    expect(await text(page, 'predict-start')).toBe('Predict red on photos')
    await page.getByTestId('predict-start').click()
    await expect.poll(() => text(page, 'predict-done'), TRAINING).toContain(`Predicted on ${PHOTOS} photos.`)
    expect(await text(page, 'predict-tags')).toBe("Each photo's red tag now has this run's prediction.")

    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(pageErrors).toEqual([])
    await page.close()
  })
})
