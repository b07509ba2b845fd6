// Devices, end to end: `kindling serve` on a fresh project, the built renderer in Chromium, and a real OpenSSH server
// on 127.0.0.1. A person pairs the server through the Devices page (existing key, host key shown and confirmed),
// tests the connection, deploys a preset, and watches the live chart and the numbers fill; the history keeps the run,
// and one click compares the preset's weights with random ones. A project with a tiny trained run (trained from the
// command line) offers the run by name, flags it as weak before deploying it, labels its history rows by its name, and
// shows a comparison's two sides with their difference on a card and in the history.
import { type ChildProcess, execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Store } from '../../src/main/store/index.js'
import { promisify } from 'node:util'
import { dlibFaces, tempDir } from '../helpers/fixtures.js'
import { type Sshd, startSshd } from '../helpers/sshd.js'
import { launchChromium, ROOT, serve, stop } from './harness.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/devices.png')
const WAIT = { timeout: 60_000, interval: 100 }
const RUNNER = path.join(ROOT, 'resources/runner/kindling-runner.cjs')

let browser: Browser
let sshd: Sshd
const children: ChildProcess[] = []

beforeAll(async () => {
  if (!fs.existsSync(RUNNER)) execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-runner.js')])
  browser = await launchChromium()
  sshd = await startSshd()
})

afterAll(async () => {
  await browser?.close()
  await Promise.all(children.map(stop))
  await sshd?.stop()
})

describe('Devices in serve mode', () => {
  test('pair the local sshd, test it, deploy a preset and see the live chart fill', async () => {
    const project = path.join(tempDir('kindling-e2e-devices-'), 'Robot')
    const server = await serve(['--project', project])
    children.push(server.child)
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(`${server.url}#devices`)
    await page.getByTestId('devices-page').waitFor()

    // Pair: where, which key, then the host key — shown, compared, confirmed.
    await page.getByTestId('pair-open').click()
    // An address where nothing listens: the error names it; editing the address clears it, and a port out of range
    // says why Show host key cannot be pressed.
    await page.getByTestId('pair-host').fill('127.0.0.1')
    await page.getByTestId('pair-port').fill('1')
    await page.getByTestId('pair-check-host-key').click()
    await expect
      .poll(() => page.getByTestId('pair-error').textContent(), { timeout: 30_000 })
      .toMatch(/cannot connect to .*127\.0\.0\.1:1.*refused/)
    await page.getByTestId('pair-port').fill('99999')
    expect(await page.getByTestId('pair-error').count()).toBe(0)
    expect(await page.getByTestId('pair-port-error').textContent()).toContain('1 to 65535')
    expect(await page.getByTestId('pair-check-host-key').isDisabled()).toBe(true)
    expect(await page.getByTestId('pair-check-host-key').getAttribute('title')).toContain('1 to 65535')
    await page.getByTestId('pair-name').fill('bench-pi')
    await page.getByTestId('pair-host').fill(sshd.host)
    await page.getByTestId('pair-port').fill(String(sshd.port))
    await page.getByTestId('pair-user').fill(sshd.user)
    await page.getByTestId('pair-key-existing').check()
    await page.getByTestId('pair-key-path').fill(sshd.clientKey)
    await page.getByTestId('pair-read-key').click()
    const clientPublic = fs.readFileSync(`${sshd.clientKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')
    await expect.poll(() => page.getByTestId('public-key').textContent(), WAIT).toContain(clientPublic)
    await expect(page.getByTestId('pair-submit').isDisabled()).resolves.toBe(true)
    await page.getByTestId('pair-check-host-key').click()
    await expect.poll(() => page.getByTestId('host-key-fingerprint').textContent(), WAIT).toBe(sshd.hostKeyFingerprint())
    await page.getByTestId('pair-confirm').check()
    await page.getByTestId('pair-submit').click()

    // Paired: the device is listed and selected, with what the device reported.
    await page.getByTestId('device-bench-pi').waitFor()
    await expect
      .poll(() => page.getByTestId('device-info').textContent(), WAIT)
      .toContain(execFileSync(sshd.remoteNode, ['--version'], { encoding: 'utf8' }).trim())
    await page.getByTestId('device-test').click()
    await expect.poll(() => page.getByTestId('device-info').textContent(), WAIT).toContain('Architecture')

    // Deploy a preset: the chart, the histogram and the numbers fill as samples stream in.
    await page.getByTestId('deploy-preset').selectOption('mobilenet-ssd-320x240')
    await page.getByTestId('deploy-iterations').fill('8')
    await page.getByTestId('deploy-start').click()
    await expect.poll(() => page.getByTestId('live-status').textContent(), { ...WAIT, timeout: 120_000 }).toContain('done')
    await expect.poll(() => page.getByTestId('latency-chart').getAttribute('data-samples'), WAIT).toBe('8')
    expect(await page.getByTestId('stat-samples').textContent()).toBe('8')
    expect(await page.getByTestId('stat-p50').textContent()).toMatch(/^\d+\.\d ms$/)
    expect(await page.getByTestId('stat-fps').textContent()).toMatch(/^\d+\.\d$/)
    // uPlot drew the series on its canvas, and the histogram has its bars.
    expect(await page.locator('[data-testid=latency-chart] canvas').count()).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=histogram] .histogram-bar').count()).toBe(20)
    await expect.poll(() => page.getByTestId('history-row').count(), WAIT).toBe(1)
    // It ran on ONNX Runtime (the default wherever it loads), on every core at fp32: the live view and the history say so.
    const ranOn = /ONNX Runtime · \d+ threads? · fp32/
    expect(await page.getByTestId('live-runtime').textContent()).toMatch(ranOn)
    expect(await page.getByTestId('history-row').first().textContent()).toMatch(ranOn)
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })

    // One click: the preset's weights, then the same layers with random weights; both join the history.
    await page.getByTestId('deploy-iterations').fill('3')
    await page.getByTestId('deploy-compare').click()
    await expect.poll(() => page.getByTestId('history-row').count(), { ...WAIT, timeout: 120_000 }).toBe(3)
    await expect.poll(() => page.getByTestId('deploy-compare').isEnabled(), WAIT).toBe(true)
    const rows = await page.getByTestId('history-row').allTextContents()
    // The two side by side: the card says which is faster and by how much; the history groups the pair under it.
    await page.getByTestId('comparison-card').waitFor()
    expect(await page.getByTestId('comparison-card').textContent()).toMatch(/the preset's weights[\s\S]*random weights/)
    expect(await page.getByTestId('comparison-difference').textContent()).toMatch(/^[+−]\d+\.\d ms \([+−]\d+ %\)$/)
    expect(await page.getByTestId('history-comparison').count()).toBe(1)
    expect(rows[0]).toContain('mobilenet-ssd-320x240 (random)')
    expect(rows[1]).not.toContain('(random)')
    expect(rows.every((r) => r.includes('done'))).toBe(true)

    // Compare runtimes: the preset on ONNX Runtime, then on TF.js wasm (one thread), one after the other.
    await page.getByTestId('deploy-compare-runtimes').click()
    await expect.poll(() => page.getByTestId('history-row').count(), { ...WAIT, timeout: 120_000 }).toBe(5)
    await expect.poll(() => page.getByTestId('deploy-compare-runtimes').isEnabled(), WAIT).toBe(true)
    const compared = await page.getByTestId('history-row').allTextContents()
    await expect.poll(() => page.getByTestId('comparison-verdict').textContent(), WAIT).toMatch(/ONNX Runtime|TF\.js wasm|same speed/)
    expect(await page.getByTestId('history-comparison').count()).toBe(2)
    expect(compared[0]).toContain('TF.js wasm · 1 thread · fp32')
    expect(compared[1]).toMatch(ranOn)
    expect(compared.every((r) => r.includes('done'))).toBe(true)

    // The store holds the pin, the deployment and its eight samples.
    const store = Store.open(project)
    try {
      const devices = store.devices
      expect(devices.byName('bench-pi')!.hostKey!.fingerprint).toBe(sshd.hostKeyFingerprint())
      const deployment = devices.deployments().at(-1)!
      expect(deployment).toMatchObject({ state: 'done', device: 'bench-pi', model: 'mobilenet-ssd-320x240', samples: 8, runtime: 'onnx' })
      expect(devices.samples(deployment.id)).toHaveLength(8)
    } finally {
      store.close()
    }
  }, 240_000)

  test('a trained run is offered by name, flagged as weak, deployed and compared with random weights', async () => {
    // A tiny run from the command line, as a user with a terminal would: dlib-faces' labelled photos, one epoch.
    const home = tempDir('kindling-e2e-devices-home-')
    const project = path.join(tempDir('kindling-e2e-devices-run-'), 'Robot')
    const env = { ...process.env, KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' }
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/kindling.js'), ...args], { cwd: ROOT, env })
    await cli(
      'import',
      dlibFaces,
      '--project',
      project,
      '--labels',
      path.join(dlibFaces, 'training.xml'),
      '--labels',
      path.join(dlibFaces, 'testing.xml'),
    )
    await cli(
      'train',
      '--project',
      project,
      '--preset',
      'alexnet-ssd-320x240',
      '--epochs',
      '1',
      '--batch-size',
      '4',
      '--no-augment',
      '--name',
      'Tiny faces',
    )

    const server = await serve(['--project', project], { KINDLING_HOME: home })
    children.push(server.child)
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(`${server.url}#devices`)
    await page.getByTestId('devices-page').waitFor()

    // The run is in the model choice, by name, among the trained runs; the presets are their own group.
    const groups = page.locator('[data-testid=deploy-preset] optgroup')
    await expect.poll(() => groups.first().getAttribute('label'), WAIT).toMatch(/^Trained runs/)
    const option = groups.first().locator('option').first()
    expect(await option.textContent()).toMatch(/^Tiny faces · alexnet-ssd-320x240 · AP50 \d+ % · .* — weak$/)
    expect(await groups.nth(1).getAttribute('label')).toMatch(/^Presets/)
    await page.getByTestId('deploy-preset').selectOption((await option.getAttribute('value'))!)
    // One epoch on a handful of photos is a weak run: the verdict says so beside the choice, with what it means.
    expect(await page.getByTestId('deploy-run-verdict').textContent()).toBe('Weak')
    expect(await page.getByTestId('deploy-run-explanation').textContent()).toMatch(/^Tiny faces: AP50 \d+%/)
    // The iteration count is called what it is on this page (Runs are training runs on Train).
    expect(await page.locator('.deploy-bar').textContent()).toContain('Inferences')
    expect(await page.locator('.deploy-bar').textContent()).not.toMatch(/\bRuns\b/)

    // Deploying a weak run asks first; Cancel deploys nothing.
    await page.getByTestId('deploy-iterations').fill('3')
    await page.getByTestId('deploy-start').click()
    expect(await page.getByTestId('deploy-confirm').textContent()).toContain('Tiny faces is a weak run')
    await page.getByTestId('deploy-confirm-no').click()
    expect(await page.getByTestId('deploy-confirm').count()).toBe(0)
    expect(await page.getByTestId('history-row').count()).toBe(0)
    await page.getByTestId('deploy-start').click()
    await page.getByTestId('deploy-confirm-yes').click()
    await expect.poll(() => page.getByTestId('live-status').textContent(), { ...WAIT, timeout: 120_000 }).toMatch(/done/)
    // Named by the run and its checkpoint's epoch, not by the checkpoint's folder.
    expect(await page.getByTestId('live-status').textContent()).toMatch(/^Tiny faces \(epoch 1\) · done/)
    await expect.poll(() => page.getByTestId('history-row').count(), WAIT).toBe(1)
    const row = await page.getByTestId('history-row').first().textContent()
    expect(row).toContain('Tiny faces (epoch 1)')
    expect(row).not.toContain(project)

    // Compare with random weights (confirmed once for this run: no second question): a card with both sides.
    await page.getByTestId('deploy-compare').click()
    expect(await page.getByTestId('deploy-confirm').count()).toBe(0)
    await page.getByTestId('comparison-card').waitFor({ timeout: 120_000 })
    const card = (await page.getByTestId('comparison-card').textContent())!
    expect(card).toMatch(/trained weights[\s\S]*\d+\.\d ms[\s\S]*random weights[\s\S]*\d+\.\d ms/)
    expect(await page.getByTestId('comparison-verdict').textContent()).toMatch(/faster: .* p50, −\d+ %$|same speed/)
    expect(await page.getByTestId('comparison-difference').textContent()).toMatch(/^[+−]\d+\.\d ms \([+−]\d+ %\)$/)
    // Three inferences a side prove little, and the card says so.
    expect(await page.getByTestId('comparison-caveat').textContent()).toMatch(/^Only 3 and 3 inferences timed/)
    await page.screenshot({ path: path.join(path.dirname(SCREENSHOT), 'devices-runs.png') })
    // The history keeps the pair together under what they found, after a reload too.
    await page.reload()
    await page.getByTestId('devices-page').waitFor()
    await expect.poll(() => page.getByTestId('history-row').count(), WAIT).toBe(3)
    expect(await page.getByTestId('history-comparison').textContent()).toMatch(/Trained weights|Random weights|same speed/)
    const rows = await page.getByTestId('history-row').allTextContents()
    expect(rows[0]).toContain('Tiny faces (epoch 1) (random)')
    expect(rows[1]).toContain('Tiny faces (epoch 1)')

    // The Train page's "Deploy…" hands over the run's checkpoint folder: the folder is chosen, the run's verdict shows.
    const store = Store.open(project)
    const checkpoint = store.runs.list()[0].bestCheckpoint!
    store.close()
    // As the Train page's link writes it (src/renderer/src/state/usePage.ts).
    await page.goto(`${server.url}#devices?${new URLSearchParams({ model: checkpoint })}`)
    await page.reload()
    await expect.poll(() => page.getByTestId('deploy-model-dir').inputValue(), WAIT).toBe(checkpoint)
    await expect.poll(() => page.getByTestId('deploy-run-verdict').textContent(), WAIT).toBe('Weak')
  }, 300_000)
})
