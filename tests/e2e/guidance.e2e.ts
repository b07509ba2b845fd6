// The Train page tells the truth (issue 14, bug 2 and items 6 and 9), end to end: the real CLI in serve mode, the built
// renderer, Debian's Chromium.
// - A project whose only labelled photo sits in the test split shows 0 to train, and Start's refusal names the split
//   and what to do.
// - The demo project (6 photos, created as the Welcome page does) warns that 4 train photos are too few, says what each
//   preset is, and after a tiny run shows the run as weak — in the list, beside its AP50 — and Predict asks first.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, ROOT, serve, type Served, stop } from './harness.js'
import { MIN_TRAIN_PHOTOS } from '../../src/shared/run-quality.js'
import { dlibFaces } from '../helpers/fixtures.js'

const WAIT = { timeout: 90_000, interval: 100 }
const TRAINING = { timeout: 540_000, interval: 250 }
// sha1("2008_001009.jpg") mod 10 is 9: the import puts it in the test split (src/main/jobs/import-photos.ts).
const TEST_SPLIT_PHOTO = '2008_001009.jpg'

let browser: Browser
let served: Served | undefined
const tempDirs: string[] = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-guidance-'))
  tempDirs.push(dir)
  return dir
}

beforeAll(async () => {
  browser = await launchChromium()
})

afterEach(async () => {
  if (served) await stop(served.child)
  served = undefined
})

afterAll(async () => {
  await browser?.close()
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

describe('The Train page tells the truth', () => {
  test('a project whose only labelled photo is in test shows 0 to train, and Start says why and what to do', async () => {
    const home = tempDir()
    const project = path.join(tempDir(), 'project')
    // One face labelled, on a photo whose name puts it in test; the labels file lives away from the photos.
    const labels = path.join(tempDir(), 'one-face.json')
    fs.writeFileSync(
      labels,
      JSON.stringify({
        images: [{ id: 1, file_name: TEST_SPLIT_PHOTO, width: 360, height: 480 }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [100, 80, 120, 150], area: 18_000, iscrowd: 0 }],
        categories: [{ id: 1, name: 'face' }],
      }),
    )
    await promisify(execFile)(
      process.execPath,
      ['bin/kindling.js', 'import', dlibFaces, '--labels', labels, '--format', 'coco', '--project', project],
      { cwd: ROOT, env: { ...process.env, KINDLING_HOME: home } },
    )
    served = await serve(['--project', project], { KINDLING_HOME: home })
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${served.url}#train`)
    await page.getByTestId('train-page').waitFor({ timeout: WAIT.timeout })

    await expect.poll(() => text(page, 'train-scope'), WAIT).toBe('Labelled photos: 0 train · 0 val · 1 test (test is never trained on)')
    expect(await text(page, 'train-scope-note')).toContain('Nothing to train on: no labelled photos in the train split.')
    // Nothing to warn about "too few": the refusal says more.
    expect(await page.getByTestId('train-few-photos').count()).toBe(0)

    await expect.poll(() => page.getByTestId('train-start').isEnabled(), WAIT).toBe(true)
    await page.getByTestId('train-start').click()
    await expect
      .poll(() => text(page, 'train-form-error'), WAIT)
      .toBe(
        'Cannot train: no labelled photos in the train split (1 labelled photo is in test, which is kept for final ' +
          'evaluation). Label photos in the train split: kindle them, import labels for them or review them (the ' +
          'Review page can show that split only). A photo’s split is fixed by its file name: about 7 in 10 photos you ' +
          'import land in train',
      )
    expect(await page.locator('[data-testid=run-list] li').count()).toBe(0)
    expect(pageErrors).toEqual([])
    await page.close()
  }, 180_000)

  test('the demo warns of too few photos, says what each preset is, and flags a weak run before it predicts', async () => {
    const home = tempDir()
    served = await serve([], { KINDLING_HOME: home })
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(served.url)

    // The demo project as the Welcome page makes it, kindled.
    await page.getByTestId('create-demo').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    await page.getByTestId('kindle-button').click()
    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('count-kindled').textContent(), WAIT).toBe('6')
    await page.getByTestId('nav-train').click()
    await page.getByTestId('train-page').waitFor()

    // Four photos to train on: the warning says how many a usable detector needs.
    await expect.poll(() => text(page, 'train-scope'), WAIT).toBe('Labelled photos: 4 train · 2 val · 0 test (test is never trained on)')
    await expect
      .poll(() => text(page, 'train-few-photos'), WAIT)
      .toContain(`Only 4 labelled photos to train on: a detector that finds nearly every face needs about ${MIN_TRAIN_PHOTOS}`)

    // The presets say what they are: the Pi default first, its cost and what the benches measured.
    await expect.poll(() => page.locator('[data-testid=train-preset] option').count(), WAIT).toBeGreaterThan(1)
    const options = await page.locator('[data-testid=train-preset] option').allTextContents()
    expect(options[0]).toBe('mobilenet-v1-ssd-320x240 — Raspberry Pi default, recommended · 1.02 G mult-adds')
    expect(options).toContain('mobilenet-ssd-320x240 — 287 M mult-adds')
    expect(await text(page, 'train-preset-hint')).toBe(
      '320×240 input · 5.8 M parameters · 1.02 G multiply-adds a frame · a training step at batch 8 takes 2.29 s on a ' +
        '2-core PC (trains at the Pi preset’s pace) · 12.1 ms a frame on ONNX Runtime (9.0 ms int8) on that PC',
    )
    fs.mkdirSync(path.join(ROOT, 'tests/e2e/screenshots'), { recursive: true })
    await page.screenshot({ path: path.join(ROOT, 'tests/e2e/screenshots/guidance-form.png') })
    await page.getByTestId('train-preset').selectOption('resnet18-ssd-300')
    expect(await text(page, 'train-preset-hint')).toContain('training speed not measured yet · device latency not measured yet')

    // A tiny run: the fastest preset from random weights, one epoch (a single step on four photos).
    await page.getByTestId('train-preset').selectOption('mobilenet-ssd-320x240')
    expect(await text(page, 'train-preset-hint')).toContain('trains 2.6× faster than the Pi preset')
    await page.getByTestId('train-epochs').fill('1')
    await page.getByTestId('train-start').click()
    const state = () => text(page, 'run-detail-state')
    await expect.poll(state, TRAINING).toBe('done')

    // Weak, in the run list and beside its AP50, with what the scores mean.
    await expect.poll(() => text(page, 'run-quality-1'), WAIT).toBe('Weak')
    expect(await text(page, 'run-header-quality')).toBe('Weak')
    expect(await text(page, 'run-quality-explanation')).toMatch(/^Weak AP50 \d+%: it misses many faces or finds faces that are not there/)
    await page.getByText('What do AP50, AP and recall mean?').click()
    expect(await text(page, 'run-score-terms')).toContain('Recall: the share of labelled faces it finds at all.')

    // Predict shows the verdict and asks before storing a weak run's boxes; Cancel stores nothing.
    expect(await text(page, 'predict-verdict')).toMatch(/^Weak AP50 \d+%/)
    await expect.poll(() => page.getByTestId('predict-start').isEnabled(), WAIT).toBe(true)
    await page.getByTestId('predict-start').click()
    expect(await text(page, 'predict-confirm')).toContain('This run is weak')
    await page.screenshot({ path: path.join(ROOT, 'tests/e2e/screenshots/guidance-weak.png') })
    await page.getByTestId('predict-confirm-no').click()
    expect(await page.getByTestId('predict-confirm').count()).toBe(0)
    expect(await page.getByTestId('predict-done').count()).toBe(0)
    await page.getByTestId('predict-start').click()
    await page.getByTestId('predict-confirm-yes').click()
    await page.getByTestId('predict-done').waitFor({ timeout: TRAINING.timeout })
    expect(await text(page, 'predict-done')).toContain('Predicted on 6 photos')
    expect(await page.getByTestId('predict-confirm').count()).toBe(0)

    expect(pageErrors).toEqual([])
    await page.close()
  }, 720_000)
})
