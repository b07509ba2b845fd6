// The studio: one object that owns the open project and the running jobs. Each domain's requests live in its own
// handlers.ts (project, media, jobs, kindle, train, review, deploy), written against the StudioContext below; the
// studio merges their maps into one that covers the whole API. Both transports (Electron IPC, the serve-mode
// WebSocket) and the CLI drive this same object.
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import {
  type Method,
  type ParsedParams,
  type ProjectInfo,
  type Result,
  StudioError,
  type StudioEvent,
  type PredictSettings,
  type PredictSummary,
  type ExportSettings,
  type ModelExport,
  type TrainSettings,
  type EvalSplit,
} from '../shared/api.js'
import { deployHandlers, deployService, type DeployService } from './deploy/handlers.js'
import type { SecretBox } from './deploy/secrets.js'
import { exportHandlers } from './deploy/export-handlers.js'
import { exportRunJob, prepareExport } from './deploy/export-run.js'
import { evaluationsHandlers } from './evaluations/handlers.js'
import { startEvaluation, type EvaluationStart } from './evaluations/start.js'
import { type EngineInfo, initEngine } from './engine/index.js'
import { exportLabels, type ExportLabelsOptions, importLabels, type ImportLabelsOptions, type ImportLabelsResult } from './formats/index.js'
import { kindleHandlers } from './kindle/handlers.js'
import { kindleProject, type KindleOptions, type KindleSummary } from './kindle/index.js'
import { jobsHandlers } from './jobs/handlers.js'
import { importPhotos, type ImportOptions, type Job, JobRunner } from './jobs/index.js'
import { mediaHandlers } from './media/handlers.js'
import { ThumbnailCache } from './media/index.js'
import { appRoot } from './paths.js'
import { projectHandlers } from './project/handlers.js'
import { RecentProjects } from './project/recent.js'
import { type ProjectWatch, watchProject } from './project/watch.js'
import { reviewHandlers } from './review/handlers.js'
import { Store } from './store/index.js'
import { trainHandlers } from './train/handlers.js'
import { predictJob, preparePredict, prepareResume, prepareRun, trainJob, type PreparedRun } from './train/index.js'

export const STUDIO_VERSION: string = (JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version

/** Where the demo project goes unless the user picks a folder: under KINDLING_HOME, or ~/Kindling. */
export function defaultDemoDir(): string {
  return path.join(process.env.KINDLING_HOME ?? path.join(os.homedir(), 'Kindling'), 'Demo')
}

/** The group photos that ship with the teacher models' npm package: a demo that needs no download. */
export function demoPhotosDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')
  return path.join(path.dirname(pkg), 'demo')
}

/** One request's handler, as the dispatcher calls it with params the contract has checked. */
export type Handler<M extends Method> = (params: ParsedParams<M>) => Promise<Result<M>> | Result<M>

/** A handler for every request of the API: the studio's merged map is typed with it, so a request no domain answers fails to compile. */
export type Handlers = { [M in Method]: Handler<M> }

/**
 * What a domain's handlers see of the studio. Every domain's handlers.ts exports one function of this shape,
 * `xHandlers(ctx: StudioContext)`, returning the handlers of its requests (a Pick of Handlers).
 */
export interface StudioContext {
  /** The app's version (package.json). */
  readonly version: string
  /** Where the demo project goes unless the user picks a folder. */
  readonly demoDir: string
  /** The open project, or null. */
  readonly project: Store | null
  /** The projects opened lately, newest first. */
  readonly recent: RecentProjects
  /** The running jobs (read their progress, cancel one). */
  readonly jobs: Pick<JobRunner, 'running' | 'cancel'>
  /** The deployments of the open project's devices (deploy/handlers.ts). */
  readonly deployments: DeployService
  /** The open project's store; a conflict error naming what to do when none is open. */
  requireStore(): Store
  /** The open project as the header shows it: folder, name, counts. */
  info(): ProjectInfo
  /** Tell the clients (each transport forwards events; the CLI listens for its own). */
  send(event: StudioEvent): void
  /** Tell the clients the open project's counts moved. */
  projectChanged(): void
  /** The training backend, chosen once on first use. */
  backend(): Promise<EngineInfo>
  openProject(dir: string, options?: { create?: boolean }): Promise<ProjectInfo>
  createDemo(dir?: string): Promise<{ project: ProjectInfo; job: Job }>
  importFolder(dir: string): Job
  kindle(options: Omit<KindleOptions, 'onBatch'>): { job: Job; result: Promise<KindleSummary> }
  train(settings: TrainSettings): { jobId: string; runId: number; job: Job }
  resumeRun(runId: number): { jobId: string; runId: number; job: Job }
  predict(settings: PredictSettings): { job: Job; result: Promise<PredictSummary> }
  exportRun(settings: ExportSettings, options?: { out?: string }): { job: Job; result: Promise<ModelExport | null> }
  /** Evaluate a run's checkpoint on a split as a job, or answer with the evaluation already done (or under way). */
  evaluate(params: { runId: number; epoch?: number; split: EvalSplit; again?: boolean }): EvaluationStart
}

export interface StudioOptions {
  demoDir?: string
  importOptions?: ImportOptions
  /** Where device key passphrases may be kept: the OS keychain, which only the desktop app has. */
  secrets?: SecretBox
  /** The recent projects list every open adds to (loaded already); without one the list lives in memory only. */
  recent?: RecentProjects
}

export class Studio extends EventEmitter<{ event: [StudioEvent] }> implements StudioContext {
  private store: Store | null = null
  private thumbnails: ThumbnailCache | null = null
  private watch: ProjectWatch | null = null
  readonly jobs = new JobRunner()
  // Deployments stream samples for minutes; they are not jobs (no file counts, no ETA) but stop with the project too.
  readonly deployments = deployService(
    () => this.requireStore(),
    (event) => this.send(event),
    // Read through, not copied: field initializers run before the constructor has stored `options`.
    {
      secrets: {
        available: () => this.options.secrets?.available() ?? false,
        seal: (plain) => this.options.secrets!.seal(plain),
        open: (sealed) => this.options.secrets!.open(sealed),
      },
    },
  )
  readonly demoDir: string
  readonly version = STUDIO_VERSION
  readonly recent: RecentProjects

  constructor(private readonly options: StudioOptions = {}) {
    super()
    this.demoDir = options.demoDir ?? defaultDemoDir()
    this.recent = options.recent ?? new RecentProjects()
    this.jobs.on('progress', (payload) => this.send({ event: 'job.progress', payload }))
  }

  /** Every request of the API: the domains' maps merged (declared after `jobs` and `deployments`, which they read). */
  readonly handlers: Handlers = {
    ...projectHandlers(this),
    ...mediaHandlers(this),
    ...jobsHandlers(this),
    ...kindleHandlers(this),
    ...reviewHandlers(this),
    ...deployHandlers(this),
    ...trainHandlers(this),
    ...exportHandlers(this),
    ...evaluationsHandlers(this),
  }

  private engine: Promise<EngineInfo> | undefined

  /** The training backend, chosen once on first use (loading TF.js takes half a second; most commands never need it). */
  backend(): Promise<EngineInfo> {
    this.engine ??= initEngine()
    return this.engine
  }

  get project(): Store | null {
    return this.store
  }

  /** Open a project folder, closing the one that was open (its jobs are cancelled first, keeping what they did). */
  async openProject(dir: string, { create = false } = {}): Promise<ProjectInfo> {
    const resolved = path.resolve(dir)
    if (!create && !fs.existsSync(resolved)) {
      throw new StudioError(`folder not found: ${resolved}`, 'not_found', 'params.dir')
    }
    let store: Store
    try {
      store = Store.open(resolved, { create })
    } catch (e) {
      throw new StudioError((e as Error).message, 'invalid', 'params.dir')
    }
    await this.jobs.stopAll()
    await this.deployments.stopAll()
    this.watch?.stop()
    this.store?.close()
    this.store = store
    this.watch = watchProject(store, this)
    // A run left running means the studio stopped mid-training (a crash, a kill): it will never end by itself.
    store.runs.markInterrupted()
    store.evaluations.markInterrupted()
    this.thumbnails = new ThumbnailCache(resolved)
    // Not awaited: a read-only config home must not stop a project opening; close() waits for the write.
    this.recent.add(resolved).catch((error: unknown) => console.warn('kindling: cannot save recent projects:', error))
    const info = this.info()
    this.send({ event: 'project.changed', payload: info })
    return info
  }

  /** Create the demo project (or reopen it) and import the sample photos; the import runs as a job. */
  async createDemo(dir = this.demoDir): Promise<{ project: ProjectInfo; job: Job }> {
    const project = await this.openProject(dir, { create: true })
    return { project, job: this.importFolder(demoPhotosDir(), { accept: (name) => /^sample\d+\.jpg$/.test(name) }) }
  }

  importFolder(dir: string, only: Pick<ImportOptions, 'accept'> = {}): Job {
    const store = this.requireStore()
    const resolved = path.resolve(dir)
    let stat: fs.Stats
    try {
      stat = fs.statSync(resolved)
    } catch {
      throw new StudioError(`folder not found: ${resolved}`, 'not_found', 'params.dir')
    }
    if (!stat.isDirectory()) throw new StudioError(`not a folder: ${resolved}`, 'invalid', 'params.dir')
    return this.jobs.start('import', store.dir, (ctx) =>
      importPhotos(store, resolved, ctx, { ...this.options.importOptions, ...only }, () => {
        if (this.store === store) this.projectChanged()
      }),
    )
  }

  /**
   * Import label files (with their photos, or onto photos already here) as an import job; `result` settles with what
   * was added when the job ends. All or nothing: a bad file leaves the project as it was.
   */
  importLabels(options: Omit<ImportLabelsOptions, 'ctx' | 'importOptions'>): { job: Job; result: Promise<ImportLabelsResult> } {
    const store = this.requireStore()
    return this.jobs.startWithResult('import', store.dir, async (ctx) => {
      const added = await importLabels(store, { ...options, ctx, importOptions: this.options.importOptions })
      if (this.store === store) this.projectChanged()
      return added
    })
  }

  /**
   * Kindle the project (or `imageIds`) with a teacher, as a job; counts and thumbnails refresh after each batch.
   * `result` settles with what was kindled when the job ends.
   */
  kindle(options: Omit<KindleOptions, 'onBatch'>): { job: Job; result: Promise<KindleSummary> } {
    const store = this.requireStore()
    const onBatch = () => {
      if (this.store === store) this.projectChanged()
    }
    return this.jobs.startWithResult('kindle', store.dir, (ctx) => kindleProject(store, ctx, { ...options, onBatch }))
  }

  /** Start a training run as a job; refused at once (nothing recorded) if the project cannot train these settings. */
  train(settings: TrainSettings): { jobId: string; runId: number; job: Job } {
    const store = this.requireStore()
    this.refuseIfTraining()
    return this.startTraining(store, prepareRun(store, settings))
  }

  /** Go on with a cancelled or failed run from its last checkpoint. */
  resumeRun(runId: number): { jobId: string; runId: number; job: Job } {
    const store = this.requireStore()
    this.refuseIfTraining()
    return this.startTraining(store, prepareResume(store, runId))
  }

  /**
   * Predict with a run's checkpoint over photos, as a job; refused at once if the run has no checkpoint or another job
   * runs. `result` settles with the summary when the job ends.
   */
  predict(settings: PredictSettings): { job: Job; result: Promise<PredictSummary> } {
    const store = this.requireStore()
    this.refuseIfTraining('predict')
    const prepared = preparePredict(store, settings)
    const onBatch = () => {
      if (this.store === store) this.projectChanged()
    }
    return this.jobs.startWithResult('predict', store.dir, (ctx) => predictJob(store, prepared, ctx, { onBatch }))
  }

  /**
   * Export a run's checkpoint as ONNX and TF.js (and int8), as a job; refused at once if the run has no checkpoint or
   * another job runs. `out` (the CLI's) writes somewhere other than the project's exports/ folder. `result` is null when
   * it was cancelled (the previous export, if any, stays).
   */
  exportRun(settings: ExportSettings, options: { out?: string } = {}): { job: Job; result: Promise<ModelExport | null> } {
    const store = this.requireStore()
    this.refuseIfTraining('export')
    const prepared = prepareExport(store, settings, options.out)
    return this.jobs.startWithResult('export', store.dir, (ctx) => exportRunJob(store, prepared, ctx, { out: options.out }))
  }

  /** Evaluate a run's checkpoint on a split, as a job; one done before is answered from the store, no job. */
  evaluate(params: { runId: number; epoch?: number; split: EvalSplit; again?: boolean }): EvaluationStart {
    const store = this.requireStore()
    return startEvaluation(store, params, {
      jobs: this.jobs,
      refuseIfBusy: () => this.refuseIfTraining('evaluate'),
      send: (event) => {
        if (this.store === store) this.send(event)
      },
    })
  }

  // Training waits for the project to be still: a run started beside an import or kindling would read photos and boxes
  // as they change, and two runs would share the CPU (each taking twice as long) and both write checkpoints. Predicting
  // likewise runs alone: it shares the CPU the same way, and its "disagree" flags compare against labels as they are.
  private refuseIfTraining(verb: 'train' | 'predict' | 'export' | 'evaluate' = 'train') {
    const busy = this.jobs.running().find((j) => j.state === 'running')
    if (busy) {
      const what =
        busy.kind === 'train'
          ? 'a training run'
          : busy.kind === 'kindle'
            ? 'kindling'
            : busy.kind === 'predict'
              ? 'a prediction'
              : busy.kind === 'export'
                ? 'an export'
                : busy.kind === 'evaluate'
                  ? 'an evaluation'
                  : 'an import'
      throw new StudioError(`${what} is running: wait for it to end or cancel it, then ${verb}`, 'conflict')
    }
  }

  private startTraining(store: Store, prepared: PreparedRun) {
    const job = this.jobs.start('train', store.dir, async (ctx) => {
      await trainJob(store, prepared, ctx, (event) => {
        if (this.store === store) this.send(event)
      })
    })
    return { jobId: job.id, runId: prepared.run.id, job }
  }

  exportLabels(options: ExportLabelsOptions) {
    return exportLabels(this.requireStore(), options)
  }

  cancelJob(jobId: string): boolean {
    return this.jobs.cancel(jobId)
  }

  /** The cached thumbnail of an image (WebP), or undefined if there is no such image. */
  async thumbnail(imageId: number): Promise<Buffer | undefined> {
    const image = this.store?.image(imageId)
    if (!image || !this.thumbnails) return undefined
    return this.thumbnails.read(image.sha256, image.path)
  }

  async close(): Promise<void> {
    await this.jobs.stopAll()
    await this.deployments.stopAll()
    this.watch?.stop()
    this.store?.close()
    this.store = null
    await this.recent.settled()
  }

  info(): ProjectInfo {
    const store = this.requireStore()
    return { dir: store.dir, name: path.basename(store.dir), counts: store.counts() }
  }

  requireStore(): Store {
    if (!this.store) throw new StudioError('no project is open: open a project folder or create the demo', 'conflict')
    return this.store
  }

  send(event: StudioEvent) {
    this.emit('event', event)
  }

  projectChanged() {
    this.send({ event: 'project.changed', payload: this.info() })
  }
}
