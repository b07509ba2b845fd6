// Shared pieces of the deploy tests: a project store, a model folder, a deployer that records what it streams.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Deployer, type DeploySample, type ModelSource } from '../../../src/main/deploy/index.js'
import { DeviceStore, Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

/** The stand-in runner (a clearly-marked test fixture speaking the runner's JSON-lines contract). */
export const STAND_IN_RUNNER = path.join(import.meta.dirname, 'fixtures', 'stand-in-runner.cjs')

export function project() {
  const store = Store.open(path.join(tempDir(), 'project'), { create: true })
  return { store, devices: new DeviceStore(store.db) }
}

/** A folder shaped like a TF.js layers model: model.json and a weight shard of `bytes` random bytes. */
export function modelFolder(bytes = 64 * 1024, dir = path.join(tempDir(), 'model')): string {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] }),
  )
  fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), crypto.randomBytes(bytes))
  return dir
}

export const folderModel = (dir: string): ModelSource => ({ label: dir, randomWeights: false, prepare: async () => ({ dir }) })

/** A deployer whose streamed samples and phases are recorded; `onSample` lets a test act mid-run (cut, cancel). */
export function recordingDeployer(devices: DeviceStore, runner = STAND_IN_RUNNER) {
  const streamed: DeploySample[] = []
  const phases: string[] = []
  let onSample: (s: DeploySample) => void = () => {}
  const deployer = new Deployer(
    devices,
    {
      sample: (s) => {
        streamed.push(s)
        onSample(s)
      },
      changed: (_d, phase) => {
        if (phases.at(-1) !== phase) phases.push(phase)
      },
    },
    () => runner,
  )
  return {
    deployer,
    streamed,
    phases,
    set onSample(f: (s: DeploySample) => void) {
      onSample = f
    },
  }
}

/** Live processes whose command line mentions `needle` (the far side is this machine). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = []
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) found.push(Number(pid))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

export async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}
