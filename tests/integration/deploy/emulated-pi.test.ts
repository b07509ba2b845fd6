// A whole deploy to an "emulated Pi": the far side's `node` is an arm64 Node 18 under qemu (scripts/arm64-node.sh),
// so the runner — and ONNX Runtime's arm64 binary — that go up over SFTP really run as arm64 code on Node 18, as on
// Raspberry Pi OS 64-bit. Under qemu timings mean nothing; what counts is that it runs and computes what x64 does.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairDevice } from '../../../src/main/deploy/index.js'
import { ortArtifact } from '../../../src/main/deploy/ort-package.js'
import type { RunnerOutputs } from '../../../src/shared/runner-lines.js'
import { ARM64_NODE, type Sshd, startSshd } from '../../helpers/sshd.js'
import { ensureRunnerBuilt, folderModel, presetFolder, project, recordingDeployer } from './helpers.js'

const arm64Node = process.env.KINDLING_ARM64_NODE ?? ARM64_NODE
// As in runner.test.ts: .ci/run builds the emulated Pi and sets this, so CI cannot pass by skipping.
const run = fs.existsSync(arm64Node) || process.env.KINDLING_REQUIRE_ARM64 === '1'

/** Outputs within 1e-4 of each output's scale (its largest |value| reported); sums within that times √n. */
function expectMatchingOutputs(actual: RunnerOutputs['outputs'], expected: RunnerOutputs['outputs']) {
  expect(actual.map((o) => o.shape)).toEqual(expected.map((o) => o.shape))
  actual.forEach((o, i) => {
    const scale = Math.max(...expected[i].first.map((v) => Math.abs(v!)))
    expect(scale).toBeGreaterThan(0)
    const n = o.shape.reduce((a, b) => a * b, 1)
    expect(Math.abs(o.sum! - expected[i].sum!)).toBeLessThanOrEqual(1e-4 * scale * Math.sqrt(n))
    o.first.forEach((v, k) => expect(Math.abs(v! - expected[i].first[k]!)).toBeLessThanOrEqual(1e-4 * scale))
  })
}

describe.runIf(run)('deploy to an emulated Pi (arm64 Node 18 under qemu)', () => {
  let sshd: Sshd
  beforeAll(async () => {
    ensureRunnerBuilt()
    await presetFolder()
    sshd = await startSshd({ remoteNode: arm64Node })
  }, 120_000)
  afterAll(async () => {
    await sshd?.stop()
  })

  const pair = async (devices: ReturnType<typeof project>['devices']) => {
    const { device, info } = await pairDevice(devices, {
      name: 'emulated-pi',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKey,
      acceptHostKey: sshd.hostKeyFingerprint(),
    })
    expect(info.node).toMatch(/^v18\./)
    return device
  }

  it('pairs, uploads the runner and a preset, and streams arm64 samples from TF.js wasm into the store', async () => {
    const { devices } = project()
    const device = await pair(devices)
    const r = recordingDeployer(devices)
    const options = { device, model: folderModel(await presetFolder()), iterations: 2, warmup: 0, runtime: 'tfjs' as const }
    const done = await r.deployer.start(options).finished
    expect(done).toMatchObject({ state: 'done', samples: 2, runtime: 'tfjs', threads: 1, precision: 'fp32', fallback: null })
    expect(done.info).toMatchObject({ arch: 'arm64', node: expect.stringMatching(/^v18\./), backend: 'wasm', runtime: 'tfjs' })
    expect(devices.samples(done.id)).toHaveLength(2)
    expect(r.streamed).toHaveLength(2)
  }, 300_000)

  it('deploys with ONNX Runtime by default: its arm64 build goes up once, runs there, and computes what x64 computes', async () => {
    const { devices } = project()
    const device = await pair(devices)
    const r = recordingDeployer(devices)
    const model = folderModel(await presetFolder())
    const done = await r.deployer.start({ device, model, iterations: 2, warmup: 0, outputs: true }).finished
    expect(done, done.message ?? '').toMatchObject({ state: 'done', samples: 2, runtime: 'onnx', precision: 'fp32', fallback: null })
    expect(done.requested).toEqual({ runtime: 'auto', threads: null, precision: 'fp32' })
    expect(done.info).toMatchObject({ arch: 'arm64', node: expect.stringMatching(/^v18\./), runtime: 'onnx', backend: 'cpu' })
    expect(done.threads).toBeGreaterThanOrEqual(1)
    expect(r.streamed.map((s) => s.i)).toEqual([0, 1])
    // ONNX Runtime for arm64 went up with the runner and the model.
    expect(done.uploadedBytes).toBeGreaterThanOrEqual(ortArtifact('linux', 'arm64')!.bytes)

    // The same model on ONNX Runtime on this x64 machine ("this computer"): the same numbers.
    const here = devices.byName('this-computer')!
    const local = await r.deployer.start({ device: here, model, iterations: 1, warmup: 0, outputs: true }).finished
    expect(local).toMatchObject({ state: 'done', runtime: 'onnx' })
    expect(local.info).toMatchObject({ arch: process.arch })
    expectMatchingOutputs(r.outputs.get(done.id)!, r.outputs.get(local.id)!)

    // Again, on two threads: ONNX Runtime is on the device already, nothing goes up.
    const again = await r.deployer.start({ device, model, iterations: 1, warmup: 0, threads: 2 }).finished
    expect(again).toMatchObject({ state: 'done', runtime: 'onnx', threads: 2, uploadedBytes: 0 })
  }, 300_000)
})
