// Training from the Train page, end to end: the real CLI in serve mode, the built renderer, Debian's Chromium, the
// demo project's group photos kindled by the real teacher, then a short real training run on the studio's engine.
// A person opens Train, sees what will train and the presets, has a bad number refused beside its field, starts a
// one-epoch run, watches the loss curve fill and the run reach "done" with its AP50 and best checkpoint, and hands the
// checkpoint to the Devices page; then predicts with it on the photos and opens Review's "Predictions disagree". Waits on
// what the user sees, never on a delay.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, ROOT, serve, type Served, stop } from './harness.js'
import { PI_PRESET } from '../../src/shared/api.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/train.png')
const WAIT = { timeout: 90_000, interval: 100 }
// One epoch on six photos is a handful of steps, but each is a real forward and backward pass (on wasm, a few seconds).
const TRAINING = { timeout: 540_000, interval: 250 }

let browser: Browser
let served: Served | undefined
const tempDirs: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  if (served) await stop(served.child)
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

describe('Training from the Train page', () => {
  test('trains the kindled demo photos for one epoch: live loss curve, done with AP50 and a checkpoint to deploy', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-train-'))
    tempDirs.push(home)
    served = await serve([], { KINDLING_HOME: home })
    const context = await browser.newContext({ viewport: { width: 1400, height: 950 } })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(served.url)

    // The demo project has photos but no labels: kindle them first, as a user would.
    await page.getByTestId('create-demo').click()
    await page.getByTestId('import-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('count-all').textContent(), WAIT).toBe('6')
    await page.getByTestId('kindle-button').click()
    await page.getByTestId('kindle-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('count-kindled').textContent(), WAIT).toBe('6')

    // Train sits between Review and Evaluate in the nav; Devices, then Compare, last.
    const nav = await page.locator('.nav-item').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')))
    expect(nav).toEqual(['nav-library', 'nav-review', 'nav-train', 'nav-evaluate', 'nav-devices', 'nav-compare'])
    await page.getByTestId('nav-train').click()
    await page.getByTestId('train-page').waitFor()
    expect(await page.getByTestId('nav-train').getAttribute('aria-current')).toBe('page')

    // What will train, and the presets the studio offers (the first one chosen).
    // Labelled photos by split: the demo's six are four to train and two to evaluate, none reviewed yet.
    await expect.poll(() => text(page, 'train-scope'), WAIT).toBe('Labelled photos: 4 train · 2 val · 0 test (test is never trained on)')
    await page.getByTestId('train-labels-reviewed').check()
    await expect.poll(() => text(page, 'train-scope'), WAIT).toBe('Reviewed photos: 0 train · 0 val · 0 test (test is never trained on)')
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true)
    await page.getByTestId('train-labels-all').check()
    await expect.poll(() => page.locator('[data-testid=train-preset] option').count(), WAIT).toBeGreaterThan(0)
    // The Pi's preset is chosen, starting from the face backbone; a preset no pretrained weights fit starts random.
    expect(await page.getByTestId('train-preset').inputValue()).toBe(PI_PRESET)
    expect(await page.getByTestId('train-init').inputValue()).toBe('face-api-ssd-mobilenetv1')
    await page.getByTestId('train-preset').selectOption('alexnet-ssd-320x240')
    expect(await page.getByTestId('train-init').inputValue()).toBe('random')
    expect(await page.locator('[data-testid=train-init] option').count()).toBe(1)
    const preset = await page.getByTestId('train-preset').inputValue()
    expect(await page.getByTestId('train-epochs').inputValue()).toBe('10')
    expect(await page.getByTestId('train-batchSize').inputValue()).toBe('16')
    expect(await page.getByTestId('train-learningRate').inputValue()).toBe('0.001')
    expect(await page.getByTestId('train-augment').isChecked()).toBe(true)
    expect(await page.getByText('No runs yet').count()).toBe(1)

    // A bad number is refused beside its field, and nothing starts.
    await page.getByTestId('train-epochs').fill('0')
    await page.getByTestId('train-start').click()
    expect(await text(page, 'train-epochs-error')).toBe('The number of epochs is from 1 to 10,000')
    expect(await page.getByTestId('train-epochs').getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByTestId('run-list').count()).toBe(0)

    // One epoch, small batches, a fixed seed (under Advanced).
    await page.getByTestId('train-epochs').fill('1')
    await page.getByTestId('train-batchSize').fill('2')
    await page.getByTestId('train-name').fill('e2e run')
    await page.getByTestId('train-advanced-toggle').click()
    await page.getByTestId('train-evalEvery').fill('1')
    await page.getByTestId('train-seed').fill('7')
    expect(await page.getByTestId('train-epochs-error').count()).toBe(0)
    await page.getByTestId('train-start').click()

    // The run is listed and shown; while it runs, Start waits and the progress (with Cancel) is on screen.
    await page.locator('[data-testid=run-list] li').first().waitFor({ timeout: WAIT.timeout })
    expect(await page.locator('[data-testid=run-list] li').count()).toBe(1)
    expect(await page.locator('[data-testid=run-list] li').first().textContent()).toContain('e2e run')
    expect(await page.locator('[data-testid=run-list] li').first().textContent()).toContain(preset)
    const state = () => text(page, 'run-detail-state')
    if ((await state()) === 'running') {
      expect(await page.getByTestId('train-start').isDisabled()).toBe(true)
      expect(await page.getByTestId('run-progress').count()).toBe(1)
      expect(await page.getByRole('progressbar', { name: 'Training progress' }).count()).toBe(1)
    }

    // The loss curve gets its points as the steps stream in; the run ends done.
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), TRAINING).toBeGreaterThan(0)
    await expect.poll(state, TRAINING).toBe('done')
    expect(await page.getByTestId('run-error').count()).toBe(0)
    expect(await page.getByTestId('run-progress').count()).toBe(0)
    await expect.poll(() => page.getByTestId('train-start').isEnabled(), WAIT).toBe(true)
    expect(await page.locator('[data-testid=run-list] li').first().textContent()).toContain('epoch 1 / 1')

    // Evaluated after the last (only) epoch: its AP50, on the chart and in the details, and the checkpoint it wrote.
    await expect.poll(async () => Number(await page.getByTestId('eval-chart').getAttribute('data-points')), WAIT).toBeGreaterThan(0)
    await expect.poll(() => text(page, 'run-best-ap50'), WAIT).toMatch(/^[01]\.\d{3}$/)
    const checkpoint = await text(page, 'run-checkpoint')
    expect(checkpoint).not.toBe('')
    expect(fs.existsSync(checkpoint)).toBe(true)
    expect(fs.existsSync(path.join(checkpoint, 'detector.json'))).toBe(true)
    expect(await text(page, 'run-photos')).toMatch(/^\d+ train · \d+ val$/)
    // uPlot drew both charts on their canvases.
    expect(await page.locator('[data-testid=loss-chart] canvas').count()).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=eval-chart] canvas').count()).toBeGreaterThan(0)
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })

    // A reload comes back to the same run, its whole history fetched again.
    const points = await page.getByTestId('loss-chart').getAttribute('data-points')
    await page.reload()
    await page.getByTestId('train-page').waitFor()
    await expect.poll(state, WAIT).toBe('done')
    await expect.poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), WAIT).toBe(points)

    // "Export model" writes the checkpoint as ONNX and TF.js, with detector.json, into the project's exports folder,
    // and lists it under the button.
    await expect.poll(() => page.getByTestId('export-start').isEnabled(), WAIT).toBe(true)
    await page.getByTestId('export-start').click()
    await page.getByTestId('export-item').first().waitFor({ timeout: TRAINING.timeout })
    expect(await text(page, 'export-item')).toMatch(/model\.onnx \d+\.\d MB/)
    const exportDir = (await page.locator('[data-testid=export-item] code').first().textContent())!
    expect(fs.readdirSync(exportDir).sort()).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.json', 'model.onnx'])

    // "Deploy…" opens the Devices page with the checkpoint chosen as the model folder.
    await page.getByTestId('run-deploy').click()
    await page.getByTestId('devices-page').waitFor()
    await expect.poll(() => page.getByTestId('deploy-model-dir').inputValue(), WAIT).toBe(checkpoint)

    // "Predict on photos" runs the checkpoint over the photos as a job (a low minimum score: one epoch learns little),
    // then Review's "Predictions disagree" walks the photos where the model's boxes and the kindled ones differ.
    await page.getByTestId('nav-train').click()
    await expect.poll(state, WAIT).toBe('done')
    await page.getByTestId('predict-scope').selectOption('all')
    await page.getByTestId('predict-min-score').fill('0.01')
    await expect.poll(() => page.getByTestId('predict-start').isEnabled(), WAIT).toBe(true)
    await page.getByTestId('predict-start').click()
    // One epoch from random weights is a weak run: Predict asks first (tests/e2e/guidance.e2e.ts covers the question).
    await page.getByTestId('predict-confirm-yes').click()
    await page.getByTestId('predict-done').waitFor({ timeout: TRAINING.timeout })
    expect(await text(page, 'predict-done')).toContain('Predicted on 6 photos')
    await page.getByTestId('predict-review').click()
    await page.getByTestId('review-filter').waitFor({ timeout: WAIT.timeout })
    await page.getByTestId('review-filter').selectOption('disagree')
    await expect.poll(() => text(page, 'review-position'), WAIT).toMatch(/^1 of [1-6]$/)
    await expect.poll(() => page.locator('[data-source=predicted]').count(), WAIT).toBeGreaterThan(0)
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-predictions.png') })

    expect(pageErrors).toEqual([])
    await context.close()
  }, 720_000)
})
