// The devices and deploy requests as the UI sends them (through the dispatcher, so the contract's validation runs),
// against a real sshd: events stream, history and samples read back, and a random-weights comparison leaves nothing
// behind on either disk.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StudioEvent } from '../../../src/shared/api.js'
import { dispatch } from '../../../src/main/dispatcher.js'
import { Studio } from '../../../src/main/studio.js'
import { Store } from '../../../src/main/store/index.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'
import { type Sshd, startSshd } from '../../helpers/sshd.js'
import { ensureRunnerBuilt, PRESET } from './helpers.js'

let sshd: Sshd
let studio: Studio
let project: string
const events: StudioEvent[] = []
let nextId = 1
const call = async (method: string, params: unknown) => {
  const response = await dispatch(studio, { id: nextId++, method, params })
  if (!response.ok) throw Object.assign(new Error(response.error.message), response.error)
  return response.result as never
}

beforeAll(async () => {
  ensureRunnerBuilt()
  sshd = await startSshd()
  studio = new Studio()
  studio.on('event', (e) => events.push(e))
  project = path.join(tempDir(), 'robot')
  await studio.openProject(project, { create: true })
}, 60_000)
afterAll(async () => {
  await studio?.close()
  await sshd?.stop()
})

const finished = (id: number) =>
  new Promise<Extract<StudioEvent, { event: 'deploy.changed' }>['payload']>((resolve) => {
    const check = (e: StudioEvent) => {
      if (e.event === 'deploy.changed' && e.payload.id === id && e.payload.phase === 'finished') {
        studio.off('event', check)
        resolve(e.payload)
      }
    }
    studio.on('event', check)
  })

describe('devices.* and deploy.* requests', () => {
  it('generates an owner-only key whose public line logs in once authorized, and pins the confirmed host key', async () => {
    const key = (await call('devices.generateKey', {})) as { keyPath: string; publicKey: string }
    expect(key.keyPath.startsWith(path.join(project, 'keys'))).toBe(true)
    expect(fs.statSync(key.keyPath).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(key.keyPath)).mode & 0o777).toBe(0o700)
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ kindling@robot$/)

    const hostKey = (await call('devices.hostKey', { host: sshd.host, port: sshd.port })) as { fingerprint: string }
    expect(hostKey.fingerprint).toBe(sshd.hostKeyFingerprint())
    const request = { name: 'pi', host: sshd.host, port: sshd.port, user: sshd.user, keyPath: key.keyPath, acceptHostKey: hostKey.fingerprint }
    // Not yet in authorized_keys: refused, with the fix in the message.
    await expect(call('devices.add', request)).rejects.toThrow(/refused the key .*authorized_keys/)
    fs.appendFileSync(path.join(path.dirname(sshd.clientKey), 'authorized_keys'), `${key.publicKey}\n`)
    const { device } = (await call('devices.add', request)) as { device: { hostKey: { fingerprint: string } } }
    expect(device.hostKey.fingerprint).toBe(sshd.hostKeyFingerprint())
    // An unconfirmed pairing is refused as a conflict naming the host key; a bad fingerprint as a bad field.
    await expect(call('devices.add', { ...request, acceptHostKey: undefined })).rejects.toMatchObject({ code: 'conflict', field: 'hostKey' })
    await expect(call('devices.add', { ...request, acceptHostKey: 'SHA256:x' })).rejects.toMatchObject({
      code: 'invalid',
      field: 'params.acceptHostKey',
    })
    const devices = (await call('devices.list', {})) as { name: string }[]
    expect(devices.map((d) => d.name)).toEqual(['this-computer', 'pi'])
  })

  it('deploys a preset with streamed events, then the same layers with random weights, and keeps both in the history', async () => {
    events.length = 0
    const { deploymentId: seeded } = (await call('deploy.start', { device: 'pi', preset: PRESET, iterations: 3, warmup: 0 })) as {
      deploymentId: number
    }
    const first = await finished(seeded)
    expect(first).toMatchObject({ state: 'done', samples: 3, randomWeights: false })
    const samples = events.filter((e) => e.event === 'deploy.sample' && e.payload.deploymentId === seeded)
    expect(samples).toHaveLength(3)

    const { deploymentId: random } = (await call('deploy.start', {
      device: 'pi',
      preset: PRESET,
      iterations: 3,
      warmup: 0,
      randomWeights: true,
    })) as { deploymentId: number }
    const second = await finished(random)
    expect(second).toMatchObject({ state: 'done', samples: 3, randomWeights: true })
    expect(second.modelSha256).not.toBe(first.modelSha256)
    // The one-off model is gone from the device and from the project; the seeded one stays for reuse.
    const onDevice = fs.readdirSync(path.join(sshd.home, '.kindling'))
    expect(onDevice).toContain(first.modelSha256)
    expect(onDevice).not.toContain(second.modelSha256)
    expect(fs.readdirSync(path.join(project, 'exports'))).toEqual([PRESET])

    const history = (await call('deploy.history', { device: 'pi' })) as { id: number }[]
    expect(history.map((d) => d.id)).toEqual([random, seeded])
    const read = (await call('deploy.samples', { deploymentId: seeded })) as { samples: { i: number }[] }
    expect(read.samples.map((s) => s.i)).toEqual([0, 1, 2])
  }, 180_000)

  it('compares a model folder with the same architecture re-initialised: same layers, other weights, a one-off', async () => {
    // A model folder as a user brings one (here: a preset exported elsewhere, standing in for a trained model).
    const { exportPreset } = await import('../../../src/main/deploy/export-model.js')
    const folder = await exportPreset(PRESET, path.join(tempDir(), 'my-trained-model'), { seed: 7 })
    const { deploymentId: trained } = (await call('deploy.start', {
      device: 'this-computer',
      modelDir: folder.dir,
      iterations: 2,
      warmup: 0,
    })) as { deploymentId: number }
    const asIs = await finished(trained)
    expect(asIs).toMatchObject({ state: 'done', samples: 2, randomWeights: false, modelSha256: expect.any(String) })
    const { deploymentId: random } = (await call('deploy.start', {
      device: 'this-computer',
      modelDir: folder.dir,
      iterations: 2,
      warmup: 0,
      randomWeights: true,
    })) as { deploymentId: number }
    const fresh = await finished(random)
    expect(fresh).toMatchObject({ state: 'done', samples: 2, randomWeights: true })
    expect(fresh.modelSha256).not.toBe(asIs.modelSha256)
    // Same architecture: the runner reports the same input shape for both.
    const info = async (id: number) =>
      ((await call('deploy.samples', { deploymentId: id })) as { deployment: { info: unknown } }).deployment.info
    expect((await info(random)) as object).toMatchObject({ inputShape: ((await info(trained)) as { inputShape: number[] }).inputShape })
    // The re-initialised export is a one-off: nothing of it stays in the project.
    expect(fs.readdirSync(path.join(project, 'exports')).filter((f) => f.includes('random'))).toEqual([])
    // A folder without a model is refused by field.
    await expect(call('deploy.start', { device: 'this-computer', modelDir: tempDir(), randomWeights: true })).rejects.toMatchObject({
      code: 'not_found',
      field: 'params.modelDir',
    })
  })

  it('deploys on the runtime, threads and precision asked for, and the history records what ran (Compare runtimes, precisions)', async () => {
    const start = async (params: Record<string, unknown>) =>
      finished(
        (
          (await call('deploy.start', { device: 'this-computer', preset: PRESET, iterations: 2, warmup: 0, ...params })) as {
            deploymentId: number
          }
        ).deploymentId,
      )
    const ort = await start({ runtime: 'onnx', threads: 1 })
    expect(ort).toMatchObject({
      state: 'done',
      requested: { runtime: 'onnx', threads: 1, precision: 'fp32' },
      runtime: 'onnx',
      threads: 1,
      precision: 'fp32',
      fallback: null,
    })
    const tfjs = await start({ runtime: 'tfjs' })
    expect(tfjs).toMatchObject({ state: 'done', requested: { runtime: 'tfjs', threads: null }, runtime: 'tfjs', threads: 1 })
    // A preset at int8 is quantized on the project's own photos: with none yet, it fails before anything runs, saying so.
    const int8 = await start({ precision: 'int8' })
    expect(int8).toMatchObject({ state: 'failed', requested: { runtime: 'auto', precision: 'int8' }, runtime: null })
    expect(int8.message).toMatch(/int8 calibration needs photos in the train split; the project has none/)
    // With photos, the preset's int8 model is made on them and runs.
    const { result } = studio.importLabels({
      labelsFile: [path.join(dlibFaces, 'training.xml')],
      imagesDir: dlibFaces,
      format: 'dlib',
    })
    await result
    const quantized = await start({ precision: 'int8', threads: 1 })
    expect(quantized).toMatchObject({ state: 'done', runtime: 'onnx', precision: 'int8', threads: 1 })
    expect(fs.existsSync(path.join(project, 'exports', PRESET, 'model.int8.onnx'))).toBe(true)
    const history = (await call('deploy.history', { device: 'this-computer', limit: 4 })) as { id: number; runtime: string | null }[]
    expect(history.map((d) => [d.id, d.runtime])).toEqual([
      [quantized.id, 'onnx'],
      [int8.id, null],
      [tfjs.id, 'tfjs'],
      [ort.id, 'onnx'],
    ])
  })

  it('refuses bad requests by field and changes nothing', async () => {
    await expect(call('deploy.start', { device: 'pi', preset: PRESET, runtime: 'tflite' })).rejects.toMatchObject({ field: 'params.runtime' })
    await expect(call('deploy.start', { device: 'pi', preset: PRESET, runtime: 'tfjs', precision: 'int8' })).rejects.toMatchObject({
      field: 'params.precision',
    })
    await expect(call('deploy.start', { device: 'pi', preset: PRESET, runtime: 'tfjs', threads: 4 })).rejects.toMatchObject({
      field: 'params.threads',
    })
    await expect(call('deploy.start', { device: 'pi', preset: PRESET, threads: 0 })).rejects.toMatchObject({ field: 'params.threads' })
    await expect(call('deploy.start', { device: 'pi' })).rejects.toMatchObject({ field: 'params.preset' })
    await expect(call('deploy.start', { device: 'nope', preset: PRESET })).rejects.toMatchObject({ code: 'not_found', field: 'params.device' })
    await expect(call('deploy.start', { device: 'pi', preset: 'no-such-preset' })).rejects.toMatchObject({ field: 'params.preset' })
    await expect(call('devices.remove', { name: 'this-computer' })).rejects.toMatchObject({ field: 'params.name' })
  })

  it('marks a deployment the studio was running when it stopped as failed, on the next open', async () => {
    const dir = path.join(tempDir(), 'crashed')
    const store = Store.open(dir, { create: true })
    const devices = store.devices
    const id = devices.startDeployment({ deviceId: devices.byName('this-computer')!.id, model: 'm', randomWeights: false, iterations: 5 })
    devices.addSample(id, { i: 0, ms: 1.5, tempC: null })
    store.close()
    await studio.openProject(dir)
    const [d] = (await call('deploy.history', {})) as { state: string; message: string; samples: number }[]
    expect(d).toMatchObject({ state: 'failed', message: 'the studio stopped during this run', samples: 1 })
    await studio.openProject(project)
  })
})
