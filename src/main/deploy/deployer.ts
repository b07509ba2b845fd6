// A deployment, start to end: connect (host key checked against the pin), put the runner and the model on the device
// (content-addressed, verified, reused), run the runner over an exec channel and record each sample the moment it
// arrives. "This computer" runs the same runner with this process's Node, no SSH, for a side-by-side baseline. Whatever
// happens, the deployment row ends in a final state — done, cancelled or failed with a reason — and the samples received
// before a cut stay in the store with a summary computed from them.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Deployment, DeployPhase, DeployPrecision, DeployRuntimeChoice, Device, EventPayload } from '../../shared/api.js'
import type { DeviceStore } from '../store/index.js'
import { appRoot } from '../paths.js'
import { connect, DeviceError } from './connection.js'
import { ortArtifact, studioOrt } from './ort-package.js'
import { run, runOk, stream } from './remote.js'
import { shellCommand } from './shell-quote.js'
import { latencyStats } from '../../shared/latency.js'
import { parseRunnerLine, type RunnerLine, type RunnerOutputs } from '../../shared/runner-lines.js'
import { artifactOfDir, artifactOfFiles, place, remoteHome } from './upload.js'
import type { Connection } from './connection.js'
import type { Artifact } from './upload.js'

export const RUNNER_FILE = 'kindling-runner.cjs'
/** The int8 model in an export (src/main/deploy/export-model.ts's INT8_ONNX_FILE), which --precision int8 runs. */
const INT8_MODEL_FILE = 'model.int8.onnx'

/** The built runner bundle (npm run build), or KINDLING_RUNNER for development and tests. */
export function defaultRunnerPath(): string {
  return process.env.KINDLING_RUNNER ?? path.join(appRoot(), 'resources', 'runner', RUNNER_FILE)
}

/** The model to deploy: a folder in TF.js layers format, made ready (exported) when the deployment starts. */
export interface ModelSource {
  /** What the user picked, as history shows it: a preset name or a folder. */
  label: string
  randomWeights: boolean
  /** The training run whose checkpoint this is (history names the deployment by the run), and the checkpoint's epoch. */
  run?: { id: number; epoch: number | null }
  /** The folder and the files in it to upload. */
  prepare(): Promise<{ dir: string; files?: string[] }>
  /**
   * A one-off model (fresh random weights) is never deployed again: its local export and its copy on the device are
   * removed after the run, so comparisons do not fill either disk.
   */
  oneOff?: boolean
  dispose?(): void
}

export interface DeployOptions {
  device: Device
  model: ModelSource
  iterations: number
  warmup: number
  /** Default auto: ONNX Runtime where it loads on the device, else TF.js wasm with the reason. */
  runtime?: DeployRuntimeChoice
  /** ONNX Runtime's threads; default the device's cores. */
  threads?: number
  precision?: DeployPrecision
  /** The first deployment of the comparison this one completes. */
  comparedWith?: number
  /** Ask the runner for its outputs on the fixed input (hooks.outputs gets them): a device's numbers to check. */
  outputs?: boolean
}

export type DeploySample = EventPayload<'deploy.sample'>

export interface DeployHooks {
  sample(s: DeploySample): void
  changed(d: Deployment, phase: DeployPhase, detail?: string): void
  /** With DeployOptions.outputs: the runner's outputs line. */
  outputs?(deploymentId: number, outputs: RunnerOutputs['outputs']): void
}

export interface RunningDeployment {
  id: number
  finished: Promise<Deployment>
  cancel(): void
}

export class Deployer {
  private readonly running = new Map<number, RunningDeployment>()

  constructor(
    private readonly devices: DeviceStore,
    private readonly hooks: DeployHooks,
    private readonly runnerPath: () => string = defaultRunnerPath,
    /** The passphrase of a device's key, opened from the OS keychain; undefined for a key without one. */
    private readonly unlock: (device: Device) => string | undefined = () => undefined,
  ) {}

  start(options: DeployOptions): RunningDeployment {
    const { device, model, iterations } = options
    const requested = { runtime: options.runtime ?? 'auto', threads: options.threads ?? null, precision: options.precision ?? 'fp32' }
    const id = this.devices.startDeployment({
      deviceId: device.id,
      model: model.label,
      randomWeights: model.randomWeights,
      iterations,
      requested,
      run: model.run ?? null,
      comparedWith: options.comparedWith ?? null,
    })
    const abort = new AbortController()
    const finished = this.run(id, options, abort.signal).finally(() => this.running.delete(id))
    const handle: RunningDeployment = { id, finished, cancel: () => abort.abort() }
    this.running.set(id, handle)
    return handle
  }

  cancel(id: number): boolean {
    const r = this.running.get(id)
    r?.cancel()
    return r !== undefined
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()]
    for (const r of all) r.cancel()
    await Promise.allSettled(all.map((r) => r.finished))
  }

  /** One deployment, phase by phase. Every error takes the one path out: recordError, cancelled or failed with why. */
  private async run(id: number, o: DeployOptions, signal: AbortSignal): Promise<Deployment> {
    const deployment = new DeploymentRun(id, o, signal, this.devices, this.hooks)
    try {
      deployment.changed('preparing')
      const prepared = await deployment.prepare(this.runnerPath())
      const ended =
        o.device.kind === 'local' ? await deployment.runHere(prepared) : await deployment.runOnDevice(prepared, () => this.unlock(o.device))
      deployment.recordEnd(ended)
    } catch (error) {
      deployment.recordError(error)
    }
    deployment.disposeModel()
    deployment.changed('finished')
    return this.devices.deployment(id)!
  }
}

/** How the runner ended; on a device, also the connection's loss when the runner's channel went down with it. */
type Ended = { code: number | null; signal: string | null; stderr: string; cancelled: boolean; lost?: Error | null }

/** What prepare() makes ready: the runner bundle, and the exported model with its content address. */
interface Prepared {
  runner: string
  model: { dir: string; files?: string[] }
  modelArtifact: Artifact
}

/** A connection to a device, and how each step races the connection's end. */
interface Session {
  conn: Connection
  whileConnected<T>(step: Promise<T>): Promise<T>
}

/**
 * One deployment as it runs: the phase it is in and what the runner has said so far, and the phases themselves —
 * prepare; then here, or on a device (connect and probe, upload, run and stream); then record how it ended.
 */
class DeploymentRun {
  private phase: DeployPhase = 'preparing'
  /** The samples' times, in the order received. */
  private readonly samples: number[] = []
  private summary: Record<string, unknown> | null = null
  private runnerError: string | null = null
  /** The last lines that were not runner lines, for the failure message. */
  private readonly log: string[] = []

  constructor(
    private readonly id: number,
    private readonly o: DeployOptions,
    private readonly signal: AbortSignal,
    private readonly devices: DeviceStore,
    private readonly hooks: DeployHooks,
  ) {}

  changed(phase: DeployPhase, detail?: string): void {
    this.phase = phase
    this.hooks.changed(this.devices.deployment(this.id)!, phase, detail)
  }

  /** The runner bundle checked, the model made ready and hashed (its sha256 recorded). */
  async prepare(runner: string): Promise<Prepared> {
    if (!fs.existsSync(runner)) {
      throw new Error(`the device runner is not built (${runner} is missing): run npm run build`)
    }
    const model = await this.o.model.prepare()
    const modelArtifact = model.files
      ? artifactOfFiles(
          'model',
          model.files.map((f) => path.join(model.dir, f)),
        )
      : artifactOfDir('model', model.dir)
    this.devices.updateDeployment(this.id, { modelSha256: modelArtifact.sha256 })
    // Said here rather than by the runner after an upload: int8 is a file the export has or has not.
    if (this.o.precision === 'int8' && !modelArtifact.files.some((f) => f.name === INT8_MODEL_FILE)) {
      throw new Error(
        `int8 needs the model's int8 export (${INT8_MODEL_FILE}), which ${this.o.model.label} does not have: ` +
          "export it with int8 (the Train page's Export model, or kindling export-model --int8) and deploy that folder",
      )
    }
    this.stopIfCancelled()
    return { runner, model, modelArtifact }
  }

  /** "This computer": the runner as a child process with this process's Node, and the studio's own ONNX Runtime. */
  async runHere({ runner, model }: Prepared): Promise<Ended> {
    this.changed('running')
    const ort = this.o.runtime === 'tfjs' ? null : (studioOrt()?.root ?? null)
    return await runLocally(this.runnerArgs(runner, model.dir, ort), this.onLine, this.signal)
  }

  /** A device: connect and probe, upload, run and stream — and the connection closed, however that ends. */
  async runOnDevice(prepared: Prepared, passphrase: () => string | undefined): Promise<Ended> {
    const session = await this.connect(passphrase)
    try {
      const { root, sftp } = await this.probe(session)
      const placed = await this.upload(session, sftp, root, prepared)
      return await this.runAndStream(session, placed)
    } finally {
      session.conn.close()
    }
  }

  private async connect(passphrase: () => string | undefined): Promise<Session> {
    this.changed('connecting')
    const d = this.o.device
    const conn = await connect(
      { name: d.name, host: d.host!, port: d.port!, user: d.user!, keyPath: d.keyPath!, passphrase: passphrase() },
      { pinned: d.hostKey! },
    )
    // ssh2 leaves SFTP requests pending forever when the connection drops, so every step races the connection's end.
    const lost = conn.closed.then((e) => {
      throw new DeviceError(`${e?.message ?? `the connection to ${d.name} was closed`}`)
    })
    lost.catch(() => {})
    return { conn, whileConnected: <T>(step: Promise<T>) => Promise.race([step, lost]) }
  }

  /** Where things go on the device (~/.kindling, from its own $HOME), and an SFTP channel to put them there. */
  private async probe({ conn, whileConnected }: Session) {
    const home = await whileConnected(remoteHome(conn.client))
    const sftp = await whileConnected(
      new Promise<import('ssh2').SFTPWrapper>((resolve, reject) =>
        conn.client.sftp((e, s) => (e ? reject(new DeviceError(`the device offers no SFTP: ${e.message}`)) : resolve(s))),
      ),
    )
    return { root: `${home}/.kindling`, sftp }
  }

  /**
   * ONNX Runtime for the device's node, unless TF.js was asked for: which binary it needs is the platform and
   * architecture its node reports (not `uname -m`: a 64-bit kernel may run a 32-bit userland, as older Raspberry Pi OS
   * images do). Null — nothing to upload — where there is no binary for it; the runner then says why it falls back.
   */
  private async ortFor({ conn, whileConnected }: Session) {
    if (this.o.runtime === 'tfjs') return null
    const r = await whileConnected(run(conn.client, `node -p 'process.platform + " " + process.arch'`, { timeoutMs: 60_000 }))
    const [platform, arch] = r.code === 0 ? r.stdout.trim().split(' ') : []
    // No answer (no node on the PATH): the runner's own start will fail and explain that.
    return platform && arch ? ortArtifact(platform, arch) : null
  }

  /** The runner, ONNX Runtime, then the model, each reused when a verified copy is on the device; the bytes sent are recorded. */
  private async upload(session: Session, sftp: import('ssh2').SFTPWrapper, root: string, prepared: Prepared) {
    const { conn, whileConnected } = session
    const ortPackage = await this.ortFor(session)
    this.changed('uploading')
    const runnerArtifact = artifactOfFiles('runner', [{ path: prepared.runner, name: RUNNER_FILE }])
    let uploaded = 0
    const progress = (what: string) => (sent: number, total: number) =>
      this.changed('uploading', `${what}: ${(sent / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`)
    const placedRunner = await whileConnected(place(conn.client, sftp, root, runnerArtifact, progress('runner')))
    uploaded += placedRunner.uploadedBytes
    this.stopIfCancelled()
    let ortDir: string | null = null
    if (ortPackage) {
      const placedOrt = await whileConnected(place(conn.client, sftp, root, ortPackage, progress('ONNX Runtime')))
      uploaded += placedOrt.uploadedBytes
      ortDir = placedOrt.dir
      this.stopIfCancelled()
    }
    const placedModel = await whileConnected(place(conn.client, sftp, root, prepared.modelArtifact, progress('model')))
    uploaded += placedModel.uploadedBytes
    this.devices.updateDeployment(this.id, { uploadedBytes: uploaded })
    sftp.end()
    this.stopIfCancelled()
    return { runnerDir: placedRunner.dir, modelDir: placedModel.dir, ortDir }
  }

  /** The runner over an exec channel, each line handled as it arrives; a one-off model is removed after. */
  private async runAndStream({ conn }: Session, placed: { runnerDir: string; modelDir: string; ortDir: string | null }): Promise<Ended> {
    this.changed('running')
    const command = shellCommand('node', ...this.runnerArgs(`${placed.runnerDir}/${RUNNER_FILE}`, placed.modelDir, placed.ortDir))
    const result = await stream(conn.client, command, this.onLine, this.signal)
    if (this.o.model.oneOff && result.code !== null) {
      await runOk(conn.client, shellCommand('rm', '-rf', '--', placed.modelDir), 'removing a one-off model').catch(() => {})
    }
    // A channel that closed without an exit status went down with its connection (keepalives settle that within
    // about 15 s); a live connection that still sent none is said as it is.
    const noStatus = result.code === null && result.signal === null && !result.cancelled
    const dropped = noStatus
      ? await Promise.race([
          conn.closed,
          delay(20_000).then(() => new DeviceError(`the runner on ${this.o.device.name} ended without reporting how`)),
        ])
      : null
    return { ...result, lost: dropped }
  }

  private runnerArgs(runnerFile: string, modelDir: string, ortDir: string | null): string[] {
    const { iterations, warmup, runtime = 'auto', threads, precision = 'fp32' } = this.o
    return [
      runnerFile,
      ...['--model', modelDir, '--iterations', String(iterations), '--warmup', String(warmup)],
      ...['--runtime', runtime, '--precision', precision],
      ...(threads !== undefined ? ['--threads', String(threads)] : []),
      ...(ortDir !== null ? ['--ort', ortDir] : []),
      ...(this.o.outputs ? ['--outputs'] : []),
    ]
  }

  private readonly onLine = (line: string): void => {
    // Validated before it reaches the store or the UI: this is input from another machine. Anything else the device
    // printed (a shell's motd, a warning) is kept as log text for the failure message.
    let m: RunnerLine
    try {
      m = parseRunnerLine(line)
    } catch {
      this.log.push(line)
      if (this.log.length > 20) this.log.shift()
      return
    }
    if (m.type === 'info') {
      const { runtime, threads, precision, fallback } = m
      this.devices.updateDeployment(this.id, { info: m, runtime, threads, precision, fallback })
      this.changed('running')
    } else if (m.type === 'sample') {
      const s = { i: m.i, ms: m.ms, tempC: m.tempC ?? null }
      this.devices.addSample(this.id, s)
      this.samples.push(m.ms)
      this.hooks.sample({ deploymentId: this.id, device: this.o.device.name, ...s })
    } else if (m.type === 'outputs') {
      this.hooks.outputs?.(this.id, m.outputs)
    } else if (m.type === 'summary') {
      this.summary = m
    } else if (m.type === 'error') {
      this.runnerError = m.message
    }
  }

  private stopIfCancelled(): void {
    if (this.signal.aborted) throw new Cancelled()
  }

  /** The runner ended: done, cancelled or failed with why — the samples received kept either way, and summarised. */
  recordEnd(ended: Ended): void {
    const { samples, summary, runnerError } = this
    // The numbers come from the samples the store holds (the same function the runner uses); the runner's summary
    // adds what only the device knows (throttling).
    const computed = latencyStats(samples)
    const { type: _type, ...reported } = (summary ?? {}) as Record<string, unknown>
    const final = {
      summary: computed || summary ? { ...reported, ...(computed ?? {}), samples: samples.length } : null,
      finishedAt: Date.now(),
    }
    if (ended.cancelled || this.signal.aborted) {
      this.devices.updateDeployment(this.id, { ...final, state: 'cancelled', message: `cancelled after ${samples.length} samples` })
    } else if (ended.lost) {
      this.devices.updateDeployment(this.id, {
        ...final,
        state: 'failed',
        message: `${ended.lost.message} — after ${samples.length} of ${this.o.iterations} samples, which are kept`,
      })
    } else if (ended.code !== 0 || runnerError) {
      this.devices.updateDeployment(this.id, { ...final, state: 'failed', message: explainRunnerFailure(ended, runnerError, this.log) })
    } else {
      this.devices.updateDeployment(this.id, { ...final, state: 'done', message: null })
    }
  }

  /** Anything thrown on the way ends here: cancelled before the run started, or failed with the error's message. */
  recordError(error: unknown): void {
    const stats = latencyStats(this.samples)
    this.devices.updateDeployment(this.id, {
      state: error instanceof Cancelled ? 'cancelled' : 'failed',
      message:
        error instanceof Cancelled
          ? 'cancelled before the run started'
          : this.phase === 'uploading' && error instanceof DeviceError
            ? `${error.message} — while uploading; nothing half-uploaded is ever used, deploy again to finish the upload`
            : (error as Error).message,
      summary: stats && { ...stats, samples: this.samples.length },
      finishedAt: Date.now(),
    })
  }

  disposeModel(): void {
    try {
      this.o.model.dispose?.()
    } catch {
      // a leftover export folder is harmless
    }
  }
}

class Cancelled extends Error {}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

function explainRunnerFailure(
  ended: { code: number | null; signal: string | null; stderr: string },
  runnerError: string | null,
  log: string[],
): string {
  if (runnerError) return `the runner failed: ${runnerError}`
  if (ended.code === 127) {
    return 'the device has no `node` on the PATH of SSH sessions: install Node.js 18 or newer there (e.g. apt install nodejs)'
  }
  // Node prints a stack and ends with its version: the line that names the error is the useful one.
  const lines = ended.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const why = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.at(-1) ?? log.at(-1) ?? 'no output'
  return `the runner stopped with ${ended.code !== null ? `exit code ${ended.code}` : `signal ${ended.signal}`}: ${why}`
}

/** The runner on this computer, with this process's Node (in Electron: its binary, as plain Node). */
function runLocally(
  args: string[],
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<{ code: number | null; signal: string | null; stderr: string; cancelled: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let buffered = ''
    let stderr = ''
    let cancelled = false
    const cancel = () => {
      cancelled = true
      child.kill('SIGTERM')
    }
    signal.addEventListener('abort', cancel, { once: true })
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        if (line) onLine(line)
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    child.on('error', reject)
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', cancel)
      if (buffered.trim()) onLine(buffered.trim())
      resolve({ code, signal: sig, stderr, cancelled })
    })
  })
}
