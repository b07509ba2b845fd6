// A whole deploy to an "emulated Pi": the far side's `node` is an arm64 Node 18 under qemu (scripts/arm64-node.sh),
// so the runner that goes up over SFTP really runs as arm64 code on Node 18, as on Raspberry Pi OS 64-bit.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairDevice } from '../../../src/main/deploy/index.js'
import { ARM64_NODE, type Sshd, startSshd } from '../../helpers/sshd.js'
import { ensureRunnerBuilt, folderModel, presetFolder, project, recordingDeployer } from './helpers.js'

const arm64Node = process.env.KINDLING_ARM64_NODE ?? ARM64_NODE
// As in runner.test.ts: .ci/run builds the emulated Pi and sets this, so CI cannot pass by skipping.
const run = fs.existsSync(arm64Node) || process.env.KINDLING_REQUIRE_ARM64 === '1'

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

  it('pairs, uploads the runner and a preset, and streams arm64 samples into the store', async () => {
    const { devices } = project()
    const { device, info } = await pairDevice(devices, {
      name: 'emulated-pi',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKey,
      acceptHostKey: sshd.hostKeyFingerprint(),
    })
    expect(info.node).toMatch(/^v18\./)
    const r = recordingDeployer(devices)
    const done = await r.deployer.start({ device, model: folderModel(await presetFolder()), iterations: 2, warmup: 0 }).finished
    expect(done).toMatchObject({ state: 'done', samples: 2 })
    expect(done.info).toMatchObject({ arch: 'arm64', node: expect.stringMatching(/^v18\./), backend: 'wasm' })
    expect(devices.samples(done.id)).toHaveLength(2)
    expect(r.streamed).toHaveLength(2)
  }, 300_000)
})
