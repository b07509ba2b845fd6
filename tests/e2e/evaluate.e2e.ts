// The Evaluate page, end to end: the real CLI in serve mode, the built renderer, Debian's Chromium, and a project of
// dlib-faces' photos with their human face boxes and a short run trained by the CLI from the face backbone. A person
// opens Evaluate from the run, finds val chosen (test only behind its own marked choice), starts the evaluation and
// sees its report; moves the threshold and sees precision and recall change; opens a missed face in Review, where the
// model's box is drawn over the photo, fixes the label in one click, comes back and finds it gone from the misses;
// uses the threshold for deploy and sees it on the Devices page. Waits on what the user sees, never on a delay.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eFile, ROOT } from './harness.js'
import { dlibFaces } from '../helpers/fixtures.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/evaluate.png')
const WAIT = { timeout: 90_000, interval: 100 }
const EVALUATING = { timeout: 300_000, interval: 250 }

const e2e = e2eFile('evaluate')
const tempDir = () => e2e.tempDir()

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''
/** "37.5 %" → 0.375; "–" (nothing kept) → null. */
const percentOf = async (page: Page, testId: string) => {
  const t = await text(page, testId)
  return t === '–' ? null : Number(t.replace(' %', '')) / 100
}
const countOf = async (page: Page, testId: string) => Number((await text(page, testId)).replace(/,/g, ''))

describe('The Evaluate page', () => {
  test('evaluate a run, pick a threshold, fix a missed face from Review, and use the threshold for deploy', { timeout: 900_000 }, async () => {
    const home = tempDir()
    const project = path.join(tempDir(), 'project')
    const env = { ...process.env, KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' }
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['bin/kindling.js', ...args], { cwd: ROOT, env })
    await cli(
      'import',
      dlibFaces,
      '--labels',
      path.join(dlibFaces, 'training.xml'),
      '--labels',
      path.join(dlibFaces, 'testing.xml'),
      '--format',
      'dlib',
      '--project',
      project,
    )
    // Two short epochs from the face backbone: a weak detector, but one that finds some faces and misses others.
    await cli(
      'train',
      '--project',
      project,
      '--preset',
      'mobilenet-v1-ssd-320x240',
      '--init',
      'face-api-ssd-mobilenetv1',
      '--epochs',
      '2',
      '--batch-size',
      '4',
      '--no-augment',
      '--seed',
      '7',
      '--name',
      'faces',
    )

    const served = await e2e.serve(['--project', project], { KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' })
    const page = await e2e.browser.newPage({ viewport: { width: 1400, height: 950 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${served.url}#train?run=1`)
    await expect.poll(() => page.getByTestId('run-detail-state').textContent(), WAIT).toBe('done')

    // Evaluate, from the run: Evaluate sits after Train in the nav, and the run's best checkpoint on val is chosen.
    await page.getByTestId('run-evaluate').click()
    await page.getByTestId('evaluate-page').waitFor()
    expect(await page.getByTestId('nav-evaluate').getAttribute('aria-current')).toBe('page')
    await expect.poll(() => page.getByTestId('eval-checkpoint').locator('option:checked').textContent(), WAIT).toMatch(/^Best: epoch \d/)
    expect(await page.getByTestId('eval-split-val').isChecked()).toBe(true)
    expect(await page.getByTestId('eval-split-test').isChecked()).toBe(false)
    await page.getByTestId('eval-not-computed').waitFor({ timeout: WAIT.timeout })
    expect(await page.getByTestId('eval-test-warning').count()).toBe(0)

    // Test is a choice of its own, marked as the final score; choosing it starts nothing.
    await page.getByTestId('eval-split-test').check()
    await page.getByTestId('eval-test-warning').waitFor()
    await expect.poll(() => text(page, 'eval-not-computed'), WAIT).toContain('on test yet')
    await page.getByTestId('eval-split-val').check()
    await expect.poll(() => page.getByTestId('eval-test-warning').count(), WAIT).toBe(0)

    // Start: the job's progress, then the report.
    await expect.poll(() => text(page, 'eval-not-computed'), WAIT).toContain('on val yet')
    await page.getByTestId('eval-start').click()
    await page.getByTestId('eval-summary').waitFor({ timeout: EVALUATING.timeout })
    await expect.poll(() => text(page, 'eval-ap50'), WAIT).toMatch(/^[01]\.\d{3}$/)
    expect(await page.getByTestId('eval-class-row').count()).toBe(1)
    expect(await page.locator('[data-testid=pr-chart] canvas').count()).toBeGreaterThan(0)
    expect(Number(await page.getByTestId('pr-chart').getAttribute('data-points'))).toBeGreaterThan(0)
    for (const size of ['small', 'medium', 'large']) expect(await page.getByTestId(`eval-size-${size}`).count()).toBe(1)
    // One class: no confusion to show.
    expect(await page.getByTestId('eval-confusion').count()).toBe(0)

    // The threshold: low keeps more detections (recall up), high fewer; the numbers follow at once.
    const slider = page.getByTestId('eval-threshold')
    await slider.fill('0.99')
    await expect.poll(() => page.getByTestId('eval-threshold-value').inputValue(), WAIT).toBe('0.99')
    const highRecall = (await percentOf(page, 'eval-recall')) ?? 0
    const highMisses = await countOf(page, 'eval-misses')
    await slider.focus()
    await page.keyboard.press('Home') // the keyboard moves it too: to its lowest
    await expect.poll(() => page.getByTestId('eval-threshold-value').inputValue(), WAIT).toBe('0.01')
    const lowRecall = (await percentOf(page, 'eval-recall'))!
    expect(lowRecall).toBeGreaterThan(highRecall)
    expect(await countOf(page, 'eval-misses')).toBeLessThan(highMisses)
    expect(await countOf(page, 'eval-false-alarms')).toBeGreaterThan(0)
    expect(await percentOf(page, 'eval-precision')).not.toBeNull()
    // A typed threshold is checked; a bad one is refused beside the box and changes nothing.
    await page.getByTestId('eval-threshold-value').fill('1.5')
    await page.getByText('A score threshold is a number between 0 and 1').waitFor()
    expect(await slider.inputValue()).toBe('0.01')

    // The F1-best threshold, one click away.
    await page.getByTestId('eval-use-best').click()
    const best = Number(/at (0\.\d+)/.exec(await text(page, 'eval-use-best'))![1])
    await expect.poll(async () => Number(await page.getByTestId('eval-threshold-value').inputValue()), WAIT).toBeCloseTo(best, 3)
    expect(await page.getByTestId('eval-use-best').isDisabled()).toBe(true)

    // A click on the curve picks the threshold of the point nearest it: at its low-precision end, a low score.
    const plot = (await page.locator('[data-testid=pr-chart] .u-over').boundingBox())!
    await page.mouse.click(plot.x + plot.width * 0.35, plot.y + plot.height * 0.99)
    await expect.poll(async () => Number(await page.getByTestId('eval-threshold-value').inputValue()), WAIT).toBeLessThan(best)

    // The mistakes at the lowest threshold: every detection the model kept counts, so a miss is a face it never found.
    await slider.fill('0.01')
    await page.getByTestId('eval-errors-tab-false-alarm').waitFor()
    await expect
      .poll(async () => Number(await page.getByTestId('eval-error-grid').getAttribute('data-total')), WAIT)
      .toBe(await countOf(page, 'eval-false-alarms'))
    await page.getByTestId('eval-errors-tab-miss').click()
    const misses = await countOf(page, 'eval-misses')
    expect(misses).toBeGreaterThan(0)
    await expect.poll(async () => Number(await page.getByTestId('eval-error-grid').getAttribute('data-total')), WAIT).toBe(misses)
    await page.getByTestId('eval-error').first().waitFor()
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })

    // Open a miss the model came near in Review: its label selected, the model's box drawn over the photo, not editable.
    const miss = page.locator('[data-testid=eval-error][data-nearest=true]').first()
    const labelId = await miss.getAttribute('data-box-id')
    expect(labelId).toMatch(/^\d+$/)
    await miss.click()
    await page.getByTestId('review-page').waitFor()
    await page.getByTestId('review-eval').waitFor({ timeout: WAIT.timeout })
    const label = page.locator(`[data-testid=review-box][data-box-id="${labelId}"]`)
    await expect.poll(() => label.getAttribute('class'), WAIT).toContain('is-selected')
    expect(await text(page, 'review-eval')).toContain('A missed label')
    expect(await page.getByTestId('review-mark').count()).toBe(1)
    const modelBox = (await page.getByTestId('review-mark').getAttribute('data-rect'))!.split(',').map(Number)
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-review.png') })

    // The fix, in one step: the label moves onto the model's box, and is saved.
    await page.getByTestId('review-eval-move').click()
    const offBy = async () => Math.max(...(await label.getAttribute('data-rect'))!.split(',').map((v, i) => Math.abs(Number(v) - modelBox[i])))
    await expect.poll(offBy, WAIT).toBeLessThanOrEqual(1) // whole pixels
    await expect.poll(() => text(page, 'save-state'), WAIT).toBe('Saved')

    // Back to Evaluate: the same view, the report matched again, and the fixed miss has left the list.
    await page.getByTestId('review-eval-back').click()
    await page.getByTestId('eval-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('eval-errors-tab-miss').getAttribute('aria-selected'), WAIT).toBe('true')
    await expect.poll(async () => Number(await page.getByTestId('eval-error-grid').getAttribute('data-total')), WAIT).toBe(misses - 1)
    await expect.poll(() => countOf(page, 'eval-misses'), WAIT).toBe(misses - 1)
    expect(await page.locator(`[data-testid=eval-error][data-box-id="${labelId}"]`).count()).toBe(0)

    // A false alarm where no label is near — a face nobody labelled — becomes a label in one click, and leaves its list.
    await page.getByTestId('eval-errors-tab-false-alarm').click()
    const falseAlarms = await countOf(page, 'eval-false-alarms')
    await expect.poll(async () => Number(await page.getByTestId('eval-error-grid').getAttribute('data-total')), WAIT).toBe(falseAlarms)
    const alarm = page.locator('[data-testid=eval-error][data-nearest=false]').first()
    const [alarmImage, alarmScore] = [await alarm.getAttribute('data-image-id'), await alarm.getAttribute('data-score')]
    await alarm.click()
    await page.getByTestId('review-eval').waitFor({ timeout: WAIT.timeout })
    expect(await text(page, 'review-eval')).toContain('A false alarm')
    const boxes = await page.getByTestId('review-box').count()
    await page.getByTestId('review-eval-add').click()
    await expect.poll(() => page.getByTestId('review-box').count(), WAIT).toBe(boxes + 1)
    await expect.poll(() => text(page, 'save-state'), WAIT).toBe('Saved')
    await page.getByTestId('review-eval-back').click()
    await page.getByTestId('eval-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => countOf(page, 'eval-false-alarms'), WAIT).toBe(falseAlarms - 1)
    await expect.poll(async () => Number(await page.getByTestId('eval-error-grid').getAttribute('data-total')), WAIT).toBe(falseAlarms - 1)
    expect(await page.locator(`[data-testid=eval-error][data-image-id="${alarmImage}"][data-score="${alarmScore}"]`).count()).toBe(0)

    // From the keyboard: the arrows move through the grid and Enter opens the mistake; the browser's Back returns.
    await page.getByTestId('eval-error-grid').focus()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Enter')
    await page.getByTestId('review-eval').waitFor({ timeout: WAIT.timeout })
    await page.goBack()
    await page.getByTestId('eval-summary').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('eval-errors-tab-false-alarm').getAttribute('aria-selected'), WAIT).toBe('true')

    // At the smallest window the desktop app allows, the page reflows into one column: nothing runs off to the side.
    await page.setViewportSize({ width: 880, height: 560 })
    await expect.poll(() => page.getByTestId('evaluate-page').evaluate((el) => el.scrollWidth - el.clientWidth), WAIT).toBeLessThanOrEqual(0)
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-small.png') })
    await page.setViewportSize({ width: 1400, height: 950 })

    // Use for deploy: stored on the run, said on the page, and shown where the Devices page chooses the run.
    await page.getByTestId('eval-threshold-value').fill('0.42')
    await page.getByTestId('eval-use-for-deploy').click()
    await expect.poll(() => text(page, 'eval-run-threshold'), WAIT).toContain('threshold 0.42')
    expect(await text(page, 'eval-use-for-deploy')).toBe('Used for deploy')
    await page.getByTestId('nav-devices').click()
    await page.getByTestId('devices-page').waitFor()
    await expect.poll(() => text(page, 'deploy-run-threshold'), WAIT).toBe('threshold 0.42 from Evaluate')

    expect(pageErrors).toEqual([])
  })
})
