// Shared pieces of the deploy tests: a project store, a model folder, a deployer that records what it streams.
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Deployer, type DeploySample, type ModelSource } from '../../../src/main/deploy/index.js'
import { exportPreset } from '../../../src/main/deploy/export-model.js'
import { type DeviceStore, Store } from '../../../src/main/store/index.js'
import type { RunnerOutputs } from '../../../src/shared/runner-lines.js'
import { repoRoot, tempDir } from '../../helpers/fixtures.js'

/** The real runner bundle (npm run build makes it; built here if this checkout has not been built). */
export const RUNNER = path.join(repoRoot, 'resources', 'runner', 'kindling-runner.cjs')
export function ensureRunnerBuilt(): string {
  if (!fs.existsSync(RUNNER)) execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-runner.js')])
  return RUNNER
}

/** The smallest face preset, exported once per test file as the studio exports it (seeded initial weights). */
export const PRESET = 'mobilenet-ssd-320x240'
let exported: string | undefined
export async function presetFolder(): Promise<string> {
  if (!exported) exported = (await exportPreset(PRESET, path.join(tempDir(), PRESET))).dir
  return exported
}

/** A copy of the exported preset at `dir` (any path, however strange), plus `extra` files. */
export async function presetCopy(dir: string, extra: Record<string, string> = {}): Promise<string> {
  fs.cpSync(await presetFolder(), dir, { recursive: true })
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text)
  return dir
}

export function project() {
  const store = Store.open(path.join(tempDir(), 'project'), { create: true })
  return { store, devices: store.devices }
}

/** The exported preset with a random extra file, so each call is a model the device has not seen (a new sha256). */
export async function freshModel(): Promise<string> {
  return presetCopy(path.join(tempDir(), 'model'), { 'notes.txt': crypto.randomBytes(16).toString('hex') })
}

export const folderModel = (dir: string): ModelSource => ({ label: dir, randomWeights: false, prepare: async () => ({ dir }) })

/** A deployer whose streamed samples, phases and outputs are recorded; `onSample` lets a test act mid-run (cut, cancel). */
export function recordingDeployer(devices: DeviceStore, runner = RUNNER) {
  const streamed: DeploySample[] = []
  const phases: string[] = []
  const outputs = new Map<number, RunnerOutputs['outputs']>()
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
      outputs: (id, o) => outputs.set(id, o),
    },
    () => runner,
  )
  return {
    deployer,
    streamed,
    phases,
    outputs,
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
