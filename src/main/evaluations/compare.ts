// `runs.compare`: the project's runs side by side, with each one's speed on a chosen device taken from the deployments
// already stored — how a user picks the model for their Pi. Nothing is measured here: a run never deployed to the
// device is listed without a latency (and so off the front), and the page says where to measure it.
import type { CompareLatency, CompareRow, Deployment, Device, Result, Run } from '../../shared/api.js'
import { StudioError } from '../../shared/api.js'
import type { Store } from '../store/index.js'
import { runModelCost } from './compare-cost.js'
import { paretoFront } from './compare-pareto.js'

/** The built-in device every project has: the default, as on the Devices page. */
const THIS_COMPUTER_KIND = 'local'

/** Runs worth comparing: those that finished, and those cancelled with a checkpoint (what they learned is kept). */
export const comparable = (run: Pick<Run, 'state' | 'bestCheckpoint'>): boolean =>
  run.state === 'done' || (run.state === 'cancelled' && run.bestCheckpoint !== null)

/** A deployment that can speak for a run's speed: finished, with a p50 from its samples. */
type Measured = Deployment & { run: NonNullable<Deployment['run']> }
const measured = (d: Deployment): d is Measured =>
  d.state === 'done' && d.run !== null && typeof d.summary?.p50Ms === 'number' && Number.isFinite(d.summary.p50Ms)

/**
 * A run's latency on a device from its deployments there (any order): the newest finished one per runtime and precision
 * — an older measurement of the same pair is superseded — and of those the fastest by p50; null when there is none.
 */
export function runLatency(deployments: readonly Deployment[]): CompareLatency | null {
  const newest = new Map<string, Deployment>()
  for (const d of deployments.filter(measured)) {
    const pair = `${d.runtime ?? '?'} ${d.precision ?? '?'}`
    const held = newest.get(pair)
    if (!held || isNewer(d, held)) newest.set(pair, d)
  }
  const [fastest, ...others] = [...newest.values()].sort((a, b) => p50(a) - p50(b) || b.id - a.id)
  if (!fastest) return null
  return {
    deploymentId: fastest.id,
    p50Ms: p50(fastest),
    p90Ms: typeof fastest.summary?.p90Ms === 'number' ? fastest.summary.p90Ms : null,
    runtime: fastest.runtime,
    precision: fastest.precision,
    threads: fastest.threads,
    epoch: fastest.run?.epoch ?? null,
    measuredAt: fastest.finishedAt ?? fastest.startedAt,
    alternatives: others.map((d) => ({ deploymentId: d.id, p50Ms: p50(d), runtime: d.runtime, precision: d.precision })),
  }
}

const p50 = (d: Deployment) => d.summary!.p50Ms as number
// Finish time, then id: two deployments finished the same millisecond are told apart by which started later.
const isNewer = (a: Deployment, b: Deployment) =>
  (a.finishedAt ?? a.startedAt) - (b.finishedAt ?? b.startedAt) > 0 || (a.finishedAt === b.finishedAt && a.id > b.id)

function describeBackbone(backbone: unknown): string {
  if (backbone === null || typeof backbone !== 'object' || !('name' in backbone)) return '—'
  const { name, alpha } = backbone as { name: string; alpha?: number }
  return alpha === undefined ? name : `${name} α=${alpha}`
}

function describeInput(config: unknown): string {
  const input = (config as { input?: { width?: unknown; height?: unknown } } | null)?.input
  return typeof input?.width === 'number' && typeof input.height === 'number' ? `${input.width}×${input.height}` : '—'
}

/** The device the latencies are for: by name, or this computer; a name no device has is an error naming the devices. */
function chosenDevice(store: Store, name: string | undefined): Device {
  const devices = store.devices.list()
  if (name === undefined) return devices.find((d) => d.kind === THIS_COMPUTER_KIND) ?? devices[0]
  const device = devices.find((d) => d.name === name)
  if (!device) {
    throw new StudioError(`no device named "${name}"; the devices are ${devices.map((d) => d.name).join(', ')}`, 'not_found', 'params.device')
  }
  return device
}

export async function compareRuns(store: Store, deviceName?: string): Promise<Result<'runs.compare'>> {
  const device = chosenDevice(store, deviceName)
  const runs = store.runs.list().filter(comparable)
  const deployments = store.devices.deployments(null, 1_000_000).filter(measured)

  const byDevice = new Map<number, Measured[]>()
  for (const d of deployments) byDevice.set(d.deviceId, [...(byDevice.get(d.deviceId) ?? []), d])
  const comparedIds = new Set(runs.map((r) => r.id))
  const devices = store.devices
    .list()
    .filter((d) => d.kind === THIS_COMPUTER_KIND || d.id === device.id || store.devices.deployments(d.id, 1).length > 0)
    .map((d) => ({
      name: d.name,
      kind: d.kind,
      measuredRuns: new Set((byDevice.get(d.id) ?? []).map((x) => x.run.id).filter((id) => comparedIds.has(id))).size,
    }))

  const here = byDevice.get(device.id) ?? []
  const rows: CompareRow[] = []
  for (const run of runs) {
    const record = store.runs.record(run.id)!
    const best = store.runs.evals(run.id).find((e) => e.checkpoint === run.bestCheckpoint) ?? null
    const classifier = run.task === 'classify'
    const cost = await runModelCost(run.preset, record.config)
    rows.push({
      runId: run.id,
      name: run.name,
      task: run.task,
      state: run.state,
      preset: run.preset,
      backbone: describeBackbone((record.config as { backbone?: unknown } | null)?.backbone),
      input: describeInput(record.config),
      classes: run.classes,
      trainImages: run.trainImages,
      valImages: run.valImages,
      valHeldOut: run.valHeldOut,
      budget:
        run.settings.minutes !== undefined
          ? { unit: 'minutes', value: run.settings.minutes }
          : { unit: 'epochs', value: run.settings.epochs ?? 0 },
      step: run.step,
      steps: run.steps,
      bestEpoch: best?.epoch ?? null,
      ap50: classifier ? null : (best?.ap50 ?? run.bestAp50),
      ap: classifier ? null : (best?.ap ?? null),
      recall: classifier ? null : (best?.recall ?? null),
      accuracy: classifier ? run.bestAccuracy : null,
      params: cost?.params ?? null,
      macs: cost?.macs ?? null,
      parent: run.parent,
      checkpoint: run.bestCheckpoint,
      createdAt: run.createdAt,
      latency: runLatency(here.filter((d) => d.run.id === run.id)),
      onFront: false,
    })
  }
  // One front per task: a detector's AP50 and a classifier's accuracy are not the same measure.
  for (const task of ['detect', 'classify'] as const) {
    const ofTask = rows.filter((r) => r.task === task)
    const front = new Set(
      paretoFront(ofTask.map((r) => ({ id: r.runId, accuracy: task === 'detect' ? r.ap50 : r.accuracy, latencyMs: r.latency?.p50Ms ?? null }))),
    )
    for (const r of ofTask) r.onFront = front.has(r.runId)
  }
  return { device: { name: device.name, kind: device.kind }, devices, rows }
}
