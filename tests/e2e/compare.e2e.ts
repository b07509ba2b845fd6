// Compare runs, end to end: two tiny runs (two presets) trained from the command line on dlib-faces' labelled photos,
// one of them deployed to This computer (`kindling deploy`, as a user with a terminal would). The Compare page charts
// the measured run as a point on the front, lists both runs — the other "not measured on This computer", with the way
// to measure it — sorts by a click on a header and shows a point's numbers on hover. Its "deploy it from Devices" link
// hands the other run to the Devices page; deployed there, it is a second point, and the front starts at the faster.
// A row or a point opens its run on the Train page, which leads to Compare too. Waits on what the user sees.
import { type ChildProcess, execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dlibFaces, tempDir } from '../helpers/fixtures.js'
import { launchChromium, ROOT, serve, stop } from './harness.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/compare.png')
const WAIT = { timeout: 60_000, interval: 100 }
const RUNNER = path.join(ROOT, 'resources/runner/kindling-runner.cjs')

let browser: Browser
const children: ChildProcess[] = []
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

beforeAll(async () => {
  if (!fs.existsSync(RUNNER)) execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-runner.js')])
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await Promise.all(children.map(stop))
})

describe('Compare runs in serve mode', () => {
  test('a deployed run is a point on the chart, both runs are in the table, and a row or a point opens its run', async () => {
    const home = tempDir('kindling-e2e-compare-home-')
    const project = path.join(tempDir('kindling-e2e-compare-'), 'Robot')
    const env = { ...process.env, KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' }
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/kindling.js'), ...args], { cwd: ROOT, env })
    const labels = ['--labels', path.join(dlibFaces, 'training.xml'), '--labels', path.join(dlibFaces, 'testing.xml')]
    await cli('import', dlibFaces, '--project', project, ...labels)
    const train = (name: string, preset: string) =>
      cli(
        'train',
        '--project',
        project,
        '--preset',
        preset,
        '--epochs',
        '1',
        '--batch-size',
        '4',
        '--no-augment',
        '--init',
        'random',
        '--name',
        name,
      )
    await train('Deployed run', 'alexnet-ssd-320x240')
    await train('Small and fast', 'mobilenet-ssd-320x240')

    const server = await serve(['--project', project], { KINDLING_HOME: home })
    children.push(server.child)
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))

    // The Train page leads to Compare.
    await page.goto(`${server.url}#train`)
    await page.getByTestId('train-page').waitFor()
    await page.getByTestId('open-compare').click()
    await page.getByTestId('compare-page').waitFor()
    expect(await page.getByTestId('nav-compare').getAttribute('aria-current')).toBe('page')

    // Nothing deployed yet: the runs are listed, and the chart's place says how to measure them.
    await page.getByTestId('compare-no-deployments').waitFor({ timeout: WAIT.timeout })
    expect(await text(page, 'compare-no-deployments')).toMatch(/^No run deployed yet.*Devices.*This computer/)
    expect(await page.locator('[data-testid=compare-table] tbody tr').count()).toBe(2)

    // A deployment from a terminal: the open page updates by itself.
    await cli('deploy', '--project', project, '--device', 'this-computer', '--run', '1', '--iterations', '5', '--warmup', '1')

    // This computer by default, with the one run measured there.
    await expect.poll(() => page.getByTestId('compare-device').inputValue(), WAIT).toBe('this-computer')
    await expect
      .poll(() => page.locator('[data-testid=compare-device] option').first().textContent(), WAIT)
      .toBe('This computer (1 run measured)')

    // The chart: one point, the deployed run, alone and so on the front.
    const chart = page.getByTestId('compare-chart')
    await expect.poll(() => chart.getAttribute('data-points'), WAIT).toBe('1')
    const point = page.getByTestId('compare-point-1')
    await point.waitFor()
    expect(await point.getAttribute('aria-label')).toMatch(/^Deployed run: AP50 \d+\.\d % at \d+(\.\d)? ms, on the front — open the run$/)
    expect(await page.getByTestId('compare-point-2').count()).toBe(0)
    expect(await text(page, 'compare-front')).toBe('Deployed run')
    expect(await text(page, 'compare-summary')).toMatch(/^1 of 2 runs measured on This computer\./)

    // The table: both runs; the deployed one with its latency and runtime, the other saying where to measure it.
    await expect.poll(() => page.locator('[data-testid=compare-table] tbody tr').count(), WAIT).toBe(2)
    expect(await text(page, 'compare-latency-1')).toMatch(/^\d+(\.\d)? msp90 \d+(\.\d)? ms · ONNX Runtime fp32$/)
    expect(await text(page, 'compare-latency-2')).toBe('not measured on This computer — deploy it from Devices')
    expect(await page.getByTestId('compare-row-1').textContent()).toMatch(/Deployed run.*front.*alexnet-ssd-320x240.*alexnet · 320×240.*1 epoch/)
    expect(await page.getByTestId('compare-row-1').textContent()).toMatch(/5\.0 M.*1\.31 G/)
    // The link hands the run's checkpoint to the Devices page.
    expect(await page.getByTestId('compare-deploy-2').getAttribute('href')).toMatch(/^#devices\?model=.*runs%2F2%2Fepoch-1$/)

    // Sorting: by latency the measured run comes first whichever way; by name, A–Z then Z–A.
    const order = () =>
      page.locator('[data-testid=compare-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')))
    await page.getByTestId('compare-sort-p50').click()
    expect(await order()).toEqual(['compare-row-1', 'compare-row-2'])
    await page.getByTestId('compare-sort-name').click()
    expect(await order()).toEqual(['compare-row-1', 'compare-row-2'])
    expect(await page.locator('th[aria-sort]').textContent()).toContain('Run')
    await page.getByTestId('compare-sort-name').click()
    expect(await order()).toEqual(['compare-row-2', 'compare-row-1'])
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending')

    // Hover shows the run's numbers.
    await point.hover()
    await page.getByTestId('compare-tip').waitFor()
    expect(await text(page, 'compare-tip')).toMatch(
      /^Deployed runAP50 \d+\.\d % · AP \d+\.\d % · recall \d+\.\d %p50 \d+(\.\d)? ms · p90 .* · ONNX Runtime fp32/,
    )

    // "deploy it from Devices" hands the unmeasured run to the Devices page; once deployed, it is a point too.
    await page.getByTestId('compare-deploy-2').click()
    await page.getByTestId('devices-page').waitFor()
    await expect.poll(() => page.getByTestId('deploy-model-dir').inputValue(), WAIT).toMatch(/runs\/2\/epoch-1$/)
    await page.getByTestId('deploy-iterations').fill('5')
    await page.getByTestId('deploy-start').click()
    // A one-epoch run is weak: it is deployed after the question.
    await page.getByTestId('deploy-confirm-yes').click()
    await expect.poll(() => text(page, 'live-status'), { ...WAIT, timeout: 120_000 }).toMatch(/^Small and fast \(epoch 1\) · done/)
    await page.getByTestId('nav-compare').click()
    await expect.poll(() => chart.getAttribute('data-points'), WAIT).toBe('2')
    await expect
      .poll(() => page.locator('[data-testid=compare-device] option').first().textContent(), WAIT)
      .toBe('This computer (2 runs measured)')
    // The front starts at the fastest run (nothing is faster), and every run on it is marked in the table.
    const p50 = async (runId: number) =>
      Number(/at (\d+(?:\.\d)?) ms/.exec((await page.getByTestId(`compare-point-${runId}`).getAttribute('aria-label'))!)![1])
    const fastest = (await p50(2)) < (await p50(1)) ? 'Small and fast' : 'Deployed run'
    const front = (await text(page, 'compare-front')).split(' → ')
    expect(front[0]).toBe(fastest)
    for (const runId of [1, 2]) {
      const name = runId === 1 ? 'Deployed run' : 'Small and fast'
      expect(await page.getByTestId(`compare-row-${runId}`).getAttribute('class')).toBe(front.includes(name) ? 'is-front' : null)
    }
    expect(await text(page, 'compare-summary')).toMatch(/^2 of 2 runs measured on This computer\./)
    await page.getByTestId('compare-point-2').hover()
    await page.getByTestId('compare-tip').waitFor()
    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    // A row opens its run on the Train page.
    await page.getByTestId('compare-row-2').click()
    await page.getByTestId('train-page').waitFor()
    await expect.poll(() => page.getByTestId('run-2').getAttribute('aria-current'), WAIT).toBe('true')
    expect(new URL(page.url()).hash).toBe('#train?run=2')

    // Back, and a click on the point opens the deployed run.
    await page.goBack()
    await page.getByTestId('compare-point-1').click()
    await page.getByTestId('train-page').waitFor()
    await expect.poll(() => page.getByTestId('run-1').getAttribute('aria-current'), WAIT).toBe('true')
    expect(pageErrors).toEqual([])
    await page.close()
  }, 300_000)

  test('a project without runs says how to get some', async () => {
    const project = path.join(tempDir('kindling-e2e-compare-empty-'), 'Empty')
    const server = await serve(['--project', project])
    children.push(server.child)
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
    await page.goto(`${server.url}#compare`)
    await page.getByTestId('compare-empty').waitFor({ timeout: WAIT.timeout })
    expect(await text(page, 'compare-empty')).toMatch(/^No finished runs yet.*Train page/)
    await page.close()
  })
})
