// The Devices page's requests and the deployments behind them. One Deployer per open project (the deployments and
// samples live in its store); switching projects or closing the studio cancels what is running, keeping its samples.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {
  type Deployment,
  type DeployPhase,
  type Device,
  type ParsedParams,
  type Result,
  type StudioEvent,
  StudioError,
} from '../../shared/api.js'
import type { DeviceStore, Store } from '../store/index.js'
import type { StudioContext } from '../studio.js'
import { fetchHostKey, HostKeyError } from './connection.js'
import { Deployer, type ModelSource } from './deployer.js'
import { generateKey, KeyPassphraseError, readPrivateKey } from './keys.js'
import { pairDevice, testDevice } from './pairing.js'
import { NO_SECRET_BOX_MESSAGE, type SecretBox } from './secrets.js'

type DeployMethod =
  | 'devices.list'
  | 'devices.generateKey'
  | 'devices.publicKey'
  | 'devices.hostKey'
  | 'devices.add'
  | 'devices.remove'
  | 'devices.test'
  | 'deploy.start'
  | 'deploy.cancel'
  | 'deploy.presets'
  | 'deploy.history'
  | 'deploy.samples'

export type DeployHandlers = { [M in DeployMethod]: (params: ParsedParams<M>) => Promise<Result<M>> | Result<M> }

/** The deployments behind the requests: a Deployer per open project, kept by the studio, stopped with the project. */
export interface DeployService {
  /** The open project with its devices and its Deployer (made on first use, marking deployments left running). */
  open(): { store: Store; devices: DeviceStore; deployer: Deployer }
  /** Whether key passphrases can be kept (the desktop app's OS keychain). */
  canKeepSecrets(): boolean
  /** Open a device's sealed passphrase for one connection; it is never kept in memory beyond that. */
  unlockFor(devices: DeviceStore): (device: Device) => string | undefined
  secrets: SecretBox | undefined
  /** Cancel every running deployment (of every project) and wait until each has recorded how it ended. */
  stopAll(): Promise<void>
}

export interface DeployServiceOptions {
  /** The runner bundle to deploy (default: resources/runner/kindling-runner.cjs, or KINDLING_RUNNER). */
  runnerPath?: () => string
  /** Where key passphrases may be kept (the desktop app's OS keychain); without one, such keys are refused. */
  secrets?: SecretBox
}

export function deployService(getStore: () => Store, send: (event: StudioEvent) => void, options: DeployServiceOptions = {}): DeployService {
  const { secrets } = options
  const canKeepSecrets = () => secrets?.available() === true
  /** Open a device's sealed passphrase for one connection; it is never kept in memory beyond that. */
  const unlockFor = (devices: DeviceStore) => (device: Device) => {
    const sealed = devices.sealedPassphrase(device.id)
    if (!sealed) return undefined
    if (!canKeepSecrets()) {
      throw new Error(
        `the key of ${device.name} has a passphrase, kept in the desktop app's OS keychain: connect from the desktop app, ` +
          'or pair the device again with a key without a passphrase',
      )
    }
    return secrets!.open(sealed)
  }
  const perStore = new WeakMap<Store, { devices: DeviceStore; deployer: Deployer }>()
  const deployers = new Set<Deployer>()
  const open = () => {
    const store = getStore()
    let entry = perStore.get(store)
    if (!entry) {
      const devices = store.devices
      devices.markInterrupted()
      const deployer = new Deployer(
        devices,
        {
          sample: (s) => send({ event: 'deploy.sample', payload: s }),
          changed: (d: Deployment, phase: DeployPhase, detail?: string) =>
            send({ event: 'deploy.changed', payload: { ...d, phase, ...(detail ? { detail } : {}) } }),
        },
        options.runnerPath,
        unlockFor(devices),
      )
      deployers.add(deployer)
      perStore.set(store, (entry = { devices, deployer }))
    }
    return { store, ...entry }
  }

  return {
    open,
    canKeepSecrets,
    unlockFor,
    secrets,
    stopAll: async () => {
      await Promise.all([...deployers].map((d) => d.stopAll()))
    },
  }
}

/** The handlers for the Devices page's requests, on the studio's deployments. */
export function deployHandlers(ctx: StudioContext): DeployHandlers {
  const { open, canKeepSecrets, unlockFor, secrets } = ctx.deployments
  const requireDevice = (devices: DeviceStore, name: string, field = 'params.name') => {
    const device = devices.byName(name)
    if (!device) throw new StudioError(`no device named "${name}": pair it first (devices list shows the paired ones)`, 'not_found', field)
    return device
  }

  return {
    'devices.list': () => open().devices.list(),
    'devices.generateKey': () => {
      const { store } = open()
      const key = generateKey(path.join(store.dir, 'keys'), `kindling@${path.basename(store.dir)}`)
      return { keyPath: key.privateKeyPath, publicKey: key.publicKey }
    },
    'devices.publicKey': ({ keyPath, passphrase }) => {
      const key = asInvalid(() => readPrivateKey(path.resolve(keyPath), passphrase), 'params.keyPath')
      return { publicKey: key.publicKey, encrypted: key.encrypted, canKeepPassphrase: canKeepSecrets() }
    },
    'devices.hostKey': ({ host, port }) => fetchHostKey(host, port),
    'devices.add': async ({ acceptHostKey, passphrase, ...request }) => {
      const { devices } = open()
      asInvalid(() => readPrivateKey(path.resolve(request.keyPath), passphrase), 'params.keyPath')
      if (passphrase !== undefined && !canKeepSecrets()) throw new StudioError(NO_SECRET_BOX_MESSAGE, 'invalid', 'params.passphrase')
      const seal = (p: string) => secrets!.seal(p)
      const { device, info } = await hostKeyConflict(() => pairDevice(devices, { ...request, acceptHostKey, passphrase, seal }))
      return { device: devices.byName(device.name)!, info }
    },
    'devices.remove': ({ name }) => {
      const { devices } = open()
      if (requireDevice(devices, name).kind === 'local') {
        throw new StudioError('this computer is built in and cannot be removed', 'invalid', 'params.name')
      }
      return { removed: devices.remove(name) }
    },
    'devices.test': async ({ name }) => {
      const { devices } = open()
      return hostKeyConflict(() => testDevice(devices, requireDevice(devices, name), unlockFor(devices)))
    },
    'deploy.start': async (params) => {
      const {
        device: name,
        preset,
        modelDir,
        runId,
        epoch,
        compareWith,
        iterations,
        warmup,
        randomWeights,
        runtime,
        threads,
        precision,
      } = params
      const { store, devices, deployer } = open()
      const device = requireDevice(devices, name, 'params.device')
      if (compareWith !== undefined && !devices.deployment(compareWith)) {
        throw new StudioError(`no deployment ${compareWith} to compare with`, 'not_found', 'params.compareWith')
      }
      let model: ModelSource
      const int8 = precision === 'int8'
      if (runId !== undefined) {
        const { checkpoint, run } = runCheckpoint(store, runId, epoch)
        const threshold = store.runs.get(runId)?.threshold ?? undefined
        const source = randomWeights ? reinitializedSource(store.dir, checkpoint) : folderSource(store, checkpoint, int8, threshold)
        model = { ...source, run }
      } else if (preset !== undefined) {
        const presetNames = await deployablePresets()
        if (!presetNames.includes(preset)) {
          throw new StudioError(`no preset named "${preset}" (presets: ${presetNames.join(', ')})`, 'invalid', 'params.preset')
        }
        model = presetSource(store, preset, randomWeights, int8)
      } else {
        const dir = path.resolve(modelDir!)
        if (!['model.onnx', 'model.json'].some((f) => fs.existsSync(path.join(dir, f)))) {
          throw new StudioError(`no model (model.onnx or a TF.js model.json) in ${dir}`, 'not_found', 'params.modelDir')
        }
        model = randomWeights ? reinitializedSource(store.dir, dir) : folderSource(store, dir, int8)
        // A run's checkpoint given by its folder (the Train page's "Deploy…", a path pasted in) is still that run's.
        const run = runOfCheckpoint(store, dir)
        if (run) model = { ...model, run }
      }
      return { deploymentId: deployer.start({ device, model, iterations, warmup, runtime, threads, precision, comparedWith: compareWith }).id }
    },
    'deploy.cancel': ({ deploymentId }) => ({ cancelled: open().deployer.cancel(deploymentId) }),
    'deploy.presets': () => deployablePresets(),
    'deploy.history': ({ device, limit }) => {
      const { devices } = open()
      const deviceId = device === undefined ? null : requireDevice(devices, device, 'params.device').id
      return devices.deployments(deviceId, limit)
    },
    'deploy.samples': ({ deploymentId }) => {
      const { devices } = open()
      const deployment = devices.deployment(deploymentId)
      if (!deployment) throw new StudioError(`no deployment ${deploymentId}`, 'not_found', 'params.deploymentId')
      return { deployment, samples: devices.samples(deploymentId) }
    },
  }
}

/** The presets a deployment can export: the detectors', then the whole-image classifiers'. */
async function deployablePresets(): Promise<string[]> {
  const [{ presetNames }, { classifierPresetNames }] = await Promise.all([import('../detector/index.js'), import('../classifier/index.js')])
  return [...presetNames, ...classifierPresetNames]
}

/** A run's best checkpoint (or its epoch's), with the run and epoch the deployment records; a clear error without one. */
function runCheckpoint(
  store: Store,
  runId: number,
  epoch: number | undefined,
): { checkpoint: string; run: { id: number; epoch: number | null } } {
  const run = store.runs.get(runId)
  if (!run) throw new StudioError(`no training run ${runId} (the Train page lists the project's runs)`, 'not_found', 'params.runId')
  const evals = store.runs.evals(runId)
  const chosen = epoch === undefined ? evals.find((e) => e.checkpoint === run.bestCheckpoint) : evals.find((e) => e.epoch === epoch)
  const checkpoint = epoch === undefined ? run.bestCheckpoint : (chosen?.checkpoint ?? null)
  if (checkpoint === null) {
    const which = epoch === undefined ? 'no checkpoint yet (it saves one at its first evaluation)' : `no checkpoint of epoch ${epoch}`
    throw new StudioError(`run "${run.name}" has ${which}`, 'not_found', epoch === undefined ? 'params.runId' : 'params.epoch')
  }
  if (!fs.existsSync(path.join(checkpoint, 'model.json'))) {
    throw new StudioError(`the checkpoint of run "${run.name}" is missing from ${checkpoint}`, 'not_found', 'params.runId')
  }
  return { checkpoint, run: { id: run.id, epoch: chosen?.epoch ?? null } }
}

/** The run and epoch whose checkpoint `dir` is, if it is one of the project's. */
function runOfCheckpoint(store: Store, dir: string): { id: number; epoch: number | null } | undefined {
  for (const run of store.runs.list()) {
    const scored = store.runs.evals(run.id).find((e) => path.resolve(e.checkpoint) === dir)
    if (scored) return { id: run.id, epoch: scored.epoch }
  }
  return undefined
}

/**
 * A preset exported (ONNX and TF.js) into the project's exports/ folder — at int8 also quantized on the project's
 * photos. With its seeded initial weights the files — and so their hash — are the same every time, so a device already
 * holding them gets nothing new; random weights make a new model each time (the "trained versus random" comparison).
 */
function presetSource(store: Store, preset: string, randomWeights: boolean, int8: boolean): ModelSource {
  const dir = path.join(store.dir, 'exports', randomWeights ? `${preset}-random-${Date.now()}` : preset)
  return {
    label: preset,
    randomWeights,
    oneOff: randomWeights,
    prepare: async () => {
      const { exportPreset } = await import('./export-model.js')
      const exported = await exportPreset(preset, dir, { randomWeights })
      if (!int8) return { dir, files: exported.files }
      await (await import('./export-run.js')).addProjectInt8(store, dir)
      return { dir, files: [...exported.files, 'model.int8.onnx'].sort() }
    },
    dispose: randomWeights ? () => fs.rmSync(dir, { recursive: true, force: true }) : undefined,
  }
}

/**
 * A model folder as it is when it has what the deployment runs; a checkpoint (TF.js only) or an export without int8
 * is first exported beside the presets', so that ONNX Runtime has its model.onnx (and model.int8.onnx).
 */
function folderSource(store: Store, dir: string, int8: boolean, scoreThreshold?: number): ModelSource {
  const has = (file: string) => fs.existsSync(path.join(dir, file))
  if (has('model.onnx') && (!int8 || has('model.int8.onnx'))) return { label: dir, randomWeights: false, prepare: async () => ({ dir }) }
  if (!has('detector.json')) {
    // A bare TF.js folder: nothing says what its outputs are, so it runs as it is (TF.js; no int8 to be had).
    return { label: dir, randomWeights: false, prepare: async () => ({ dir }) }
  }
  const out = path.join(store.dir, 'exports', `deploy-${path.basename(dir)}-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`)
  return {
    label: dir,
    randomWeights: false,
    prepare: async () => {
      const { exportFolder } = await import('./export-model.js')
      fs.rmSync(out, { recursive: true, force: true })
      // A run's deploy threshold goes into the exported detector.json (and so into the model's hash).
      await exportFolder(dir, out, { scoreThreshold })
      if (int8) await (await import('./export-run.js')).addProjectInt8(store, out)
      return { dir: out }
    },
  }
}

/** The architecture of a model folder with fresh random weights: a one-off export beside the presets'. */
function reinitializedSource(projectDir: string, modelDir: string): ModelSource {
  const dir = path.join(projectDir, 'exports', `${path.basename(modelDir)}-random-${Date.now()}`)
  return {
    label: modelDir,
    randomWeights: true,
    oneOff: true,
    prepare: async () => {
      const { exportReinitialized } = await import('./export-model.js')
      const exported = await exportReinitialized(modelDir, dir)
      return { dir: exported.dir, files: exported.files }
    },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

function asInvalid<T>(f: () => T, field: string): T {
  try {
    return f()
  } catch (error) {
    throw new StudioError((error as Error).message, 'invalid', error instanceof KeyPassphraseError ? 'params.passphrase' : field)
  }
}

async function hostKeyConflict<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (error) {
    if (error instanceof HostKeyError) throw new StudioError(error.message, 'conflict', 'hostKey')
    throw error
  }
}
