// runs.compare against a real project store: runs, evaluations, devices and deployments written through the store's own
// functions (as training and deploying write them), read back through the dispatcher as the Compare page asks.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classifierPreset } from '../../../src/main/classifier/index.js'
import { preset } from '../../../src/main/detector/index.js'
import { Studio } from '../../../src/main/studio.js'
import type { Store } from '../../../src/main/store/index.js'
import { COSTS } from '../../../src/main/train/index.js'
import type { CompareRow, DeployPrecision, DeployRuntime, TrainSettings } from '../../../src/shared/api.js'
import { tempDir } from '../../helpers/fixtures.js'
import { request } from '../train/helpers.js'

const DETECTOR = 'mobilenet-ssd-320x240'
const CLASSIFIER = 'mobilenet-classifier-160'
let studio: Studio
let store: Store
let project: string
const T0 = 1_800_000_000_000

beforeAll(async () => {
  process.env.KINDLING_HOME = tempDir('kindling-compare-home-')
  studio = new Studio()
  project = path.join(tempDir('kindling-compare-'), 'Robot')
  await studio.openProject(project, { create: true })
  store = studio.requireStore()
})

afterAll(async () => {
  await studio.openProject(path.join(tempDir('kindling-compare-other-'), 'Other'), { create: true })
})

interface RunSpec {
  name: string
  state: 'done' | 'cancelled' | 'failed' | 'running'
  /** Evaluations as [ap50, ap, recall]; the best by AP50 becomes the run's best checkpoint. */
  evals?: [number, number, number][]
  classes?: string[]
  settings?: Partial<TrainSettings>
  accuracy?: number
  parent?: { runId: number; epoch: number }
}

let clock = T0
function addRun(spec: RunSpec): number {
  const classifier = spec.accuracy !== undefined
  const classes = spec.classes ?? (classifier ? ['not smiling', 'smiling'] : ['face'])
  const config = classifier ? classifierPreset(CLASSIFIER, 'smiling') : { ...preset(DETECTOR), classes }
  const run = store.runs.create(
    {
      name: spec.name,
      preset: classifier ? CLASSIFIER : DETECTOR,
      settings: {
        preset: classifier ? CLASSIFIER : DETECTOR,
        epochs: 2,
        batchSize: 8,
        learningRate: 1e-3,
        labels: 'all',
        augment: true,
        evalEvery: 1,
        ...spec.settings,
      },
      config,
      classes,
      backend: 'wasm',
      trainImages: 120,
      valImages: 30,
      valHeldOut: false,
      steps: 30,
      parent: spec.parent,
    },
    (clock += 1000),
  )
  let best: { ap50: number; checkpoint: string } | null = null
  ;(spec.evals ?? []).forEach(([ap50, ap, recall], i) => {
    const checkpoint = `${project}/runs/${run.id}/epoch-${i + 1}`
    if (!best || ap50 > best.ap50) best = { ap50, checkpoint }
    store.runs.addEval(run.id, { step: (i + 1) * 15, epoch: i + 1, ap50, ap, recall, checkpoint, at: clock }, best)
  })
  if (classifier) {
    const checkpoint = `${project}/runs/${run.id}/epoch-1`
    const score = { accuracy: spec.accuracy!, photos: 30, classes: [], confusion: [] }
    store.runs.addEval(
      run.id,
      { step: 15, epoch: 1, ap50: 0, ap: 0, recall: 0, checkpoint, at: clock, classifier: score },
      {
        ap50: null,
        accuracy: spec.accuracy,
        checkpoint,
      },
    )
  }
  if (spec.state !== 'running') store.runs.end(run.id, spec.state, null, clock)
  return run.id
}

function deploy(
  device: string,
  runId: number,
  p50Ms: number,
  {
    runtime = 'onnx',
    precision = 'fp32',
    state = 'done',
    at = (clock += 1000),
  }: { runtime?: DeployRuntime; precision?: DeployPrecision; state?: 'done' | 'failed'; at?: number } = {},
): number {
  const devices = store.devices
  const id = devices.startDeployment(
    { deviceId: devices.byName(device)!.id, model: `run ${runId}`, randomWeights: false, iterations: 20, run: { id: runId, epoch: 1 } },
    at,
  )
  devices.updateDeployment(id, {
    state,
    runtime,
    precision,
    threads: 2,
    summary: { samples: 20, p50Ms, p90Ms: p50Ms + 3 },
    finishedAt: at + 500,
  })
  return id
}

const compare = (device?: string) => request(studio, 'runs.compare', device === undefined ? {} : { device })
const row = (rows: CompareRow[], name: string) => rows.find((r) => r.name === name)!

describe('runs.compare', () => {
  let big: number, fast: number, pi: number, smiles: number, stopped: number
  beforeAll(() => {
    store.devices.pair({
      name: 'pi',
      host: '10.0.0.9',
      port: 22,
      user: 'pi',
      keyPath: '/k',
      hostKey: { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:x' },
    })
    // The best checkpoint is epoch 1 (AP50 0.82), not the last.
    big = addRun({
      name: 'Big',
      state: 'done',
      evals: [
        [0.82, 0.41, 0.9],
        [0.8, 0.45, 0.91],
      ],
    })
    fast = addRun({ name: 'Fast', state: 'done', evals: [[0.6, 0.3, 0.7]], settings: { epochs: undefined, minutes: 5 } })
    pi = addRun({ name: 'For the Pi', state: 'done', evals: [[0.7, 0.35, 0.8]] })
    stopped = addRun({ name: 'Stopped with a checkpoint', state: 'cancelled', evals: [[0.5, 0.2, 0.6]] })
    addRun({ name: 'Stopped before evaluating', state: 'cancelled' })
    addRun({ name: 'Failed', state: 'failed', evals: [[0.9, 0.5, 0.95]] })
    addRun({ name: 'Still training', state: 'running', evals: [[0.9, 0.5, 0.95]] })
    smiles = addRun({ name: 'Smiles', state: 'done', accuracy: 0.93 })

    // Big on this computer: ONNX fp32 measured twice (the newer, slower one stands), int8 the fastest, TF.js slowest;
    // a failed deployment's quick numbers count for nothing.
    deploy('this-computer', big, 20)
    deploy('this-computer', big, 25)
    deploy('this-computer', big, 12, { precision: 'int8' })
    deploy('this-computer', big, 60, { runtime: 'tfjs' })
    deploy('this-computer', big, 1, { state: 'failed' })
    deploy('this-computer', fast, 8)
    deploy('this-computer', smiles, 3)
    deploy('pi', pi, 90)
  })

  it('lists the finished runs and those cancelled with a checkpoint, newest first', async () => {
    const { rows } = await compare()
    expect(rows.map((r) => r.name)).toEqual(['Smiles', 'Stopped with a checkpoint', 'For the Pi', 'Fast', 'Big'])
    expect(row(rows, 'Stopped with a checkpoint').state).toBe('cancelled')
  })

  it("gives each run its best checkpoint's scores, its budget and data, and its model's cost", async () => {
    const { rows } = await compare()
    expect(row(rows, 'Big')).toMatchObject({
      runId: big,
      task: 'detect',
      preset: DETECTOR,
      backbone: 'mobilenet-v1 α=0.5',
      input: '320×240',
      trainImages: 120,
      valImages: 30,
      budget: { unit: 'epochs', value: 2 },
      bestEpoch: 1,
      ap50: 0.82,
      ap: 0.41,
      recall: 0.9,
      accuracy: null,
      params: COSTS[DETECTOR].params,
      macs: COSTS[DETECTOR].macs,
      checkpoint: `${project}/runs/${big}/epoch-1`,
      parent: null,
    })
    expect(row(rows, 'Fast').budget).toEqual({ unit: 'minutes', value: 5 })
    expect(row(rows, 'Smiles')).toMatchObject({
      task: 'classify',
      accuracy: 0.93,
      ap50: null,
      ap: null,
      recall: null,
      params: COSTS[CLASSIFIER].params,
    })
  })

  it("takes each run's fastest of the newest deployment per runtime and precision on this computer, saying which", async () => {
    const { device, rows } = await compare()
    expect(device).toEqual({ name: 'this-computer', kind: 'local' })
    const { latency } = row(rows, 'Big')
    expect(latency).toMatchObject({ p50Ms: 12, p90Ms: 15, runtime: 'onnx', precision: 'int8', threads: 2, epoch: 1 })
    expect(latency!.alternatives.map((a) => [a.runtime, a.precision, a.p50Ms])).toEqual([
      ['onnx', 'fp32', 25],
      ['tfjs', 'fp32', 60],
    ])
    expect(row(rows, 'Fast').latency).toMatchObject({ p50Ms: 8, alternatives: [] })
    // Never deployed here: listed, with no latency.
    expect(row(rows, 'For the Pi').latency).toBeNull()
  })

  it('marks the front per task: no other run both as accurate and as fast; unmeasured runs are never on it', async () => {
    const { rows } = await compare()
    const front = rows.filter((r) => r.onFront).map((r) => r.name)
    // Big (0.82 at 12 ms) and Fast (0.60 at 8 ms) trade accuracy for speed; the classifier is on its own front.
    expect(front.sort()).toEqual(['Big', 'Fast', 'Smiles'])
    expect(row(rows, 'For the Pi').onFront).toBe(false)
    // Measured, and beaten: the cancelled run (AP50 0.50 at 30 ms) is both less accurate and slower than Big.
    const slow = deploy('this-computer', stopped, 30)
    expect(row((await compare()).rows, 'Stopped with a checkpoint')).toMatchObject({ onFront: false, latency: { deploymentId: slow } })
  })

  it('answers for another device, and lists the devices with deployments after this computer', async () => {
    const { device, devices, rows } = await compare('pi')
    expect(device).toEqual({ name: 'pi', kind: 'ssh' })
    expect(devices).toEqual([
      { name: 'this-computer', kind: 'local', measuredRuns: 4 },
      { name: 'pi', kind: 'ssh', measuredRuns: 1 },
    ])
    expect(row(rows, 'For the Pi')).toMatchObject({ latency: { p50Ms: 90 }, onFront: true })
    expect(row(rows, 'Big').latency).toBeNull()
  })

  it('offers a paired device without deployments only when it is the one asked for', async () => {
    store.devices.pair({
      name: 'jetson',
      host: '10.0.0.7',
      port: 22,
      user: 'me',
      keyPath: '/k',
      hostKey: { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:y' },
    })
    expect((await compare()).devices.map((d) => d.name)).toEqual(['this-computer', 'pi'])
    const asked = await compare('jetson')
    expect(asked.devices.map((d) => [d.name, d.measuredRuns])).toEqual([
      ['this-computer', 4],
      ['jetson', 0],
      ['pi', 1],
    ])
    expect(asked.rows.every((r) => r.latency === null && !r.onFront)).toBe(true)
    store.devices.remove('jetson')
  })

  it('refuses a device no project device has, naming the devices', async () => {
    await expect(compare('jetson')).rejects.toThrow(/not_found: no device named "jetson"; the devices are this-computer, pi/)
  })

  it("counts a run with more classes by its own model, and names a fine-tune's parent", async () => {
    const wide = addRun({
      name: 'Faces and smiles',
      state: 'done',
      evals: [[0.7, 0.3, 0.8]],
      classes: ['face', 'smiling-face'],
      parent: { runId: big, epoch: 1 },
    })
    const r = row((await compare()).rows, 'Faces and smiles')
    expect(r.runId).toBe(wide)
    expect(r.parent).toEqual({ runId: big, epoch: 1, name: 'Big' })
    // A second class widens the class head: more parameters and multiply-adds than the one-class preset.
    expect(r.params).toBeGreaterThan(COSTS[DETECTOR].params)
    expect(r.macs).toBeGreaterThan(COSTS[DETECTOR].macs)
  }, 60_000)
})

describe('runs.compare on a project without runs', () => {
  it('answers with no rows and this computer as the only device', async () => {
    await studio.openProject(path.join(tempDir('kindling-compare-empty-'), 'Empty'), { create: true })
    const result = await request(studio, 'runs.compare', {})
    expect(result).toEqual({
      device: { name: 'this-computer', kind: 'local' },
      devices: [{ name: 'this-computer', kind: 'local', measuredRuns: 0 }],
      rows: [],
    })
    await studio.openProject(project)
    store = studio.requireStore()
  })
})
