// Pairing and deploying against a real OpenSSH server on 127.0.0.1 (tests/helpers/sshd.ts), with a real SQLite store.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchHostKey, HostKeyError, pairDevice, testDevice } from '../../../src/main/deploy/index.js'
import { ortArtifact, studioOrt } from '../../../src/main/deploy/ort-package.js'
import type { Device } from '../../../src/shared/api.js'
import { tempDir } from '../../helpers/fixtures.js'
import { cuttingProxy, type Sshd, startSshd } from '../../helpers/sshd.js'
import {
  ensureRunnerBuilt,
  folderModel,
  freshModel,
  presetCopy,
  presetFolder,
  processesMentioning,
  project,
  recordingDeployer,
  RUNNER,
  until,
} from './helpers.js'

let sshd: Sshd
beforeAll(async () => {
  ensureRunnerBuilt()
  await presetFolder()
  sshd = await startSshd()
}, 120_000)
afterAll(async () => {
  await sshd?.stop()
})

const kindlingDir = () => path.join(sshd.home, '.kindling')
const onDevice = () => (fs.existsSync(kindlingDir()) ? fs.readdirSync(kindlingDir()).sort() : [])

async function paired(name = 'pi', port = sshd.port) {
  const p = project()
  const { device } = await pairDevice(p.devices, {
    name,
    host: sshd.host,
    port,
    user: sshd.user,
    keyPath: sshd.clientKey,
    acceptHostKey: sshd.hostKeyFingerprint(),
  })
  return { ...p, device }
}

describe('pairing', () => {
  it('shows the host key, refuses it until accepted, then pins exactly the key ssh-keygen reports', async () => {
    const { devices } = project()
    const fingerprint = sshd.hostKeyFingerprint()
    expect(await fetchHostKey(sshd.host, sshd.port)).toEqual({ algorithm: 'ssh-ed25519', fingerprint })

    const request = { name: 'pi', host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.clientKey }
    const unaccepted = await pairDevice(devices, request).catch((e: unknown) => e)
    expect(unaccepted).toBeInstanceOf(HostKeyError)
    expect((unaccepted as Error).message).toContain(`not yet trusted: ssh-ed25519 ${fingerprint}`)
    const wrong = await pairDevice(devices, { ...request, acceptHostKey: 'SHA256:somethingelse' }).catch((e: unknown) => e)
    expect((wrong as Error).message).toMatch(/not the SHA256:somethingelse you accepted/)
    expect(devices.byName('pi')).toBeUndefined()

    const { device, info } = await pairDevice(devices, { ...request, acceptHostKey: fingerprint })
    expect(device.hostKey).toEqual({ algorithm: 'ssh-ed25519', fingerprint })
    expect(devices.byName('pi')).toMatchObject({ kind: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.user })
    // "Test connection" facts, as the far side reports them.
    expect(info.arch).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim())
    expect(info.node).toBe(execFileSync(sshd.remoteNode, ['--version'], { encoding: 'utf8' }).trim())
    expect(info.cpu).toBeTruthy()
    expect(info.os).toBeTruthy()
  })

  it('says clearly when the device refuses the key or nothing listens', async () => {
    const { devices } = project()
    const otherKey = path.join(tempDir(), 'other')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey])
    const base = { name: 'pi', host: sshd.host, port: sshd.port, user: sshd.user, acceptHostKey: true as const }
    await expect(pairDevice(devices, { ...base, keyPath: otherKey })).rejects.toThrow(/refused the key for user .*authorized_keys/)
    fs.chmodSync(otherKey, 0o644)
    await expect(pairDevice(devices, { ...base, keyPath: otherKey })).rejects.toThrow(/readable by other users.*chmod 600/)
    await expect(pairDevice(devices, { ...base, keyPath: sshd.clientKey, port: 1 })).rejects.toThrow(/connection refused/)
  })
})

describe('deploy over SSH', () => {
  it('uploads the runner, ONNX Runtime and the model, verifies and runs; samples stream in and are stored; a second deploy uploads nothing', async () => {
    const { devices, device } = await paired()
    const model = await freshModel()
    const r = recordingDeployer(devices)

    const first = await r.deployer.start({ device, model: folderModel(model), iterations: 6, warmup: 1 }).finished
    expect(first).toMatchObject({ state: 'done', message: null, samples: 6, device: 'pi' })
    expect(r.phases).toEqual(['preparing', 'connecting', 'uploading', 'running', 'finished'])
    const runnerBytes = fs.statSync(RUNNER).size
    const modelBytes = fs.readdirSync(model).reduce((s, f) => s + fs.statSync(path.join(model, f)).size, 0)
    // ONNX Runtime for the device's node (this machine's: the sshd's far side runs this Node) went up too.
    const ort = ortArtifact(process.platform, process.arch)!
    expect(first.uploadedBytes).toBe(runnerBytes + ort.bytes + modelBytes)
    expect(r.streamed.map((s) => s.i)).toEqual([...Array(6).keys()])
    expect(devices.samples(first.id).map((s) => s.ms)).toEqual(r.streamed.map((s) => s.ms))
    expect(first.summary).toMatchObject({ samples: 6, p50Ms: expect.any(Number), p99Ms: expect.any(Number), fps: expect.any(Number) })
    expect(first).toMatchObject({ runtime: 'onnx', threads: os.cpus().length, precision: 'fp32', fallback: null })
    expect(first.info).toMatchObject({
      runtime: 'onnx',
      backend: 'cpu',
      inputShape: [1, 240, 320, 3],
      node: execFileSync(sshd.remoteNode, ['--version'], { encoding: 'utf8' }).trim(),
    })
    // Verified, content-addressed folders, and no temporary ones.
    expect(onDevice().every((name) => /^[0-9a-f]{64}$/.test(name))).toBe(true)
    expect(onDevice()).toContain(first.modelSha256)
    expect(onDevice()).toContain(ort.sha256)
    const binding = `node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`
    expect(
      fs.readFileSync(path.join(kindlingDir(), ort.sha256, binding)).equals(fs.readFileSync(ort.files.find((f) => f.name === binding)!.path)),
    ).toBe(true)
    const shard = (dir: string) => fs.readFileSync(path.join(dir, 'group1-shard1of1.bin'))
    expect(shard(path.join(kindlingDir(), first.modelSha256!)).equals(shard(model))).toBe(true)

    const second = await r.deployer.start({ device, model: folderModel(model), iterations: 2, warmup: 0, threads: 1 }).finished
    expect(second).toMatchObject({ state: 'done', uploadedBytes: 0, samples: 2, modelSha256: first.modelSha256, runtime: 'onnx', threads: 1 })
    // TF.js, asked for, needs no ONNX Runtime and runs on one thread.
    const tfjs = await r.deployer.start({ device, model: folderModel(model), iterations: 1, warmup: 0, runtime: 'tfjs' }).finished
    expect(tfjs).toMatchObject({ state: 'done', uploadedBytes: 0, runtime: 'tfjs', threads: 1, fallback: null })
    expect(tfjs.info).toMatchObject({ backend: 'wasm' })
    expect(devices.deployments(device.id).map((d) => d.id)).toEqual([tfjs.id, second.id, first.id])
  }, 180_000)

  it('cancel stops the process on the device and keeps the samples so far', async () => {
    const { devices, device } = await paired()
    const r = recordingDeployer(devices)
    const run = r.deployer.start({ device, model: folderModel(await freshModel()), iterations: 10_000, warmup: 0 })
    let runningOnDevice = 0
    r.onSample = (s) => {
      if (s.i !== 2) return
      runningOnDevice = processesMentioning(devices.deployment(s.deploymentId)!.modelSha256!).length
      run.cancel()
    }
    const done = await run.finished
    expect(done.state).toBe('cancelled')
    expect(runningOnDevice).toBeGreaterThan(0) // the check below can fail: the runner was there to be stopped
    expect(done.samples).toBeGreaterThanOrEqual(3)
    expect(done.samples).toBeLessThan(10_000)
    expect(devices.samples(done.id)).toHaveLength(done.samples)
    expect(await until(() => processesMentioning(`${done.modelSha256}`).length === 0)).toBe(true)
  })

  it('a connection cut mid-upload gives a clear error and leaves no model in place; the next deploy completes it', async () => {
    const proxy = await cuttingProxy(sshd.port, 1_500_000)
    try {
      const { devices, device } = await paired('flaky', proxy.port)
      const model = await freshModel()
      const r = recordingDeployer(devices)
      const cut = await r.deployer.start({ device, model: folderModel(model), iterations: 3, warmup: 0 }).finished
      expect(cut.state).toBe('failed')
      expect(cut.message).toMatch(/^lost the connection to flaky \(127\.0\.0\.1:\d+\).* while uploading; nothing half-uploaded is ever used/)
      expect(cut.samples).toBe(0)
      expect(onDevice()).not.toContain(cut.modelSha256)

      const whole = { ...device, port: sshd.port } satisfies Device
      const again = await r.deployer.start({ device: whole, model: folderModel(model), iterations: 3, warmup: 0 }).finished
      expect(again).toMatchObject({ state: 'done', samples: 3 })
      expect(again.uploadedBytes).toBeGreaterThanOrEqual(fs.statSync(path.join(model, 'group1-shard1of1.bin')).size)
      expect(onDevice()).toContain(again.modelSha256)
    } finally {
      await proxy.close()
    }
  })

  it('a connection dropped mid-run fails clearly and keeps the samples received', async () => {
    const proxy = await cuttingProxy(sshd.port)
    try {
      const { devices, device } = await paired('dropping', proxy.port)
      const r = recordingDeployer(devices)
      r.onSample = (s) => {
        if (s.i === 2) proxy.cut()
      }
      const done = await r.deployer.start({ device, model: folderModel(await freshModel()), iterations: 1_000, warmup: 0 }).finished
      expect(done.state).toBe('failed')
      expect(done.message).toMatch(/connection .*dropping.*after \d+ of 1000 samples, which are kept/)
      expect(done.samples).toBeGreaterThanOrEqual(3)
      expect(devices.samples(done.id)).toHaveLength(done.samples)
      expect(done.summary).toMatchObject({ samples: done.samples })
    } finally {
      await proxy.close()
    }
  })

  it('a device that stops answering mid-run (no reset, just silence) fails within seconds and keeps the samples', async () => {
    const proxy = await cuttingProxy(sshd.port)
    try {
      const { devices, device } = await paired('silent', proxy.port)
      const r = recordingDeployer(devices)
      const started = Date.now()
      let frozenAt = 0
      const run = r.deployer.start({ device, model: folderModel(await presetFolder()), iterations: 1_000, warmup: 0 })
      r.onSample = (s) => {
        if (s.i === 1) {
          proxy.freeze()
          frozenAt = Date.now()
        }
      }
      const done = await run.finished
      expect(done.state).toBe('failed')
      expect(done.message).toMatch(/^lost the connection to silent \(127\.0\.0\.1:\d+\): .*after \d+ of 1000 samples, which are kept/)
      expect(done.samples).toBeGreaterThanOrEqual(2)
      expect(devices.samples(done.id)).toHaveLength(done.samples)
      // SSH keepalives (every 5 s, 3 unanswered) notice the silence, rather than TCP's many minutes.
      expect(Date.now() - frozenAt).toBeLessThan(30_000)
      expect(frozenAt).toBeGreaterThan(started)
    } finally {
      await proxy.close()
    }
  }, 90_000)

  it('shell metacharacters in a device name or model path run nothing on the device', async () => {
    const marks = tempDir()
    const evil = (n: number) => `$(touch ${marks}/p${n});\`touch ${marks}/q${n}\`'"\n&& touch ${marks}/r${n} #`
    const { devices, device } = await paired(`pi ${evil(1)}`)
    const model = await presetCopy(path.join(tempDir(), `model ${evil(2)}`), { [`extra ${evil(3).replaceAll('/', '_')}.bin`]: 'x' })
    const r = recordingDeployer(devices)
    const done = await r.deployer.start({ device, model: folderModel(model), iterations: 2, warmup: 0 }).finished
    expect(done).toMatchObject({ state: 'done', samples: 2 })
    expect(fs.readdirSync(marks)).toEqual([])
  })

  it('"this computer" runs the same runner locally, no SSH, with the studio\'s own ONNX Runtime', async () => {
    const { devices } = project()
    const local = devices.byName('this-computer')!
    expect(local.kind).toBe('local')
    const r = recordingDeployer(devices)
    const done = await r.deployer.start({ device: local, model: folderModel(await presetFolder()), iterations: 3, warmup: 0 }).finished
    expect(done).toMatchObject({ state: 'done', samples: 3, uploadedBytes: 0, runtime: 'onnx', fallback: null })
    expect(done.info).toMatchObject({ node: process.version, backend: 'cpu', runtimeVersion: studioOrt()!.version })
    const tfjs = await r.deployer.start({ device: local, model: folderModel(await presetFolder()), iterations: 1, warmup: 0, runtime: 'tfjs' })
      .finished
    expect(tfjs).toMatchObject({ state: 'done', runtime: 'tfjs', threads: 1 })
    expect(tfjs.info).toMatchObject({ node: process.version, backend: 'wasm' })
    // int8 runs the export's model.int8.onnx (here the fp32 model stands in: what is checked is which file runs).
    const withInt8 = await presetCopy(path.join(tempDir(), 'with-int8'))
    fs.copyFileSync(path.join(withInt8, 'model.onnx'), path.join(withInt8, 'model.int8.onnx'))
    const int8 = await r.deployer.start({ device: local, model: folderModel(withInt8), iterations: 1, warmup: 0, precision: 'int8', threads: 1 })
      .finished
    expect(int8).toMatchObject({ state: 'done', runtime: 'onnx', threads: 1, precision: 'int8' })
    expect(r.phases).not.toContain('connecting')
    expect((await testDevice(devices, local)).arch).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim())
  })
})

describe('a changed host key', () => {
  it('is refused — by test connection and by deploy, which says "host key" — until the device is paired again', async () => {
    const { devices, device } = await paired('moved')
    const before = sshd.hostKeyFingerprint()
    await sshd.rotateHostKey()
    const after = sshd.hostKeyFingerprint()
    expect(after).not.toBe(before)

    const refused = await testDevice(devices, device).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(HostKeyError)
    expect((refused as Error).message).toContain(`host key of moved (127.0.0.1:${sshd.port}) has changed`)
    expect((refused as Error).message).toContain(before)
    expect((refused as Error).message).toContain(after)

    const r = recordingDeployer(devices)
    const run = await r.deployer.start({ device, model: folderModel(await freshModel()), iterations: 3, warmup: 0 }).finished
    expect(run).toMatchObject({ state: 'failed', samples: 0 })
    expect(run.message).toMatch(/host key .* has changed/)
    expect(r.phases).not.toContain('uploading')
    expect(devices.byName('moved')!.hostKey!.fingerprint).toBe(before)

    const repaired = await pairDevice(devices, {
      name: 'moved',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      keyPath: sshd.clientKey,
      acceptHostKey: after,
    })
    expect(repaired.device.hostKey!.fingerprint).toBe(after)
    expect(await testDevice(devices, repaired.device)).toMatchObject({ arch: expect.any(String) })
  })
})
