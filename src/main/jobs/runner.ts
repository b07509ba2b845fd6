// Long-running work (imports now; kindling and training later) runs as jobs: each has an id, reports progress with
// counts and an ETA at a bounded rate, and stops early when cancelled, keeping what it finished.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { JobProgress, SkippedFile } from '../../shared/api.js'

export type JobKind = JobProgress['kind']

/** What a job's body sees: its cancel signal and a way to report counts. */
export interface JobContext {
  signal: AbortSignal
  /**
   * Update counts; emitted at most every `reportEveryMs`, and always at the end. A job that knows its time left
   * better than its rate of items can tell (a training run: evaluations, a time budget) says so with `etaMs`. A job
   * of several steps says which one it is on with `message` (a failure's reason replaces it). A report that goes
   * with a commit (`committed`) is sent at once, past the rate limit: the project's counts are sent for the same
   * commit, and the two must not disagree on screen until the next report.
   */
  report(update: Partial<Counters> & { etaMs?: number | null; message?: string }, options?: { committed?: boolean }): void
  skip(file: SkippedFile): void
}

export interface Counters {
  done: number
  total: number | null
  imported: number
  duplicates: number
}

const REPORT_EVERY_MS = 100

export class Job {
  readonly id = randomUUID()
  private readonly abort = new AbortController()
  private readonly started = performance.now()
  private counters: Counters = { done: 0, total: null, imported: 0, duplicates: 0 }
  private readonly skipped: SkippedFile[] = []
  private state: JobProgress['state'] = 'running'
  private message: string | undefined
  private lastReport = 0
  /** When the job said it would end (performance.now), if it said. */
  private endsAt: number | null | undefined
  readonly finished: Promise<JobProgress>

  constructor(
    readonly kind: JobKind,
    readonly projectDir: string,
    body: (ctx: JobContext) => Promise<void>,
    private readonly emit: (p: JobProgress) => void,
  ) {
    const ctx: JobContext = {
      signal: this.abort.signal,
      report: ({ etaMs, message, ...update }, options) => {
        if (etaMs !== undefined) this.endsAt = etaMs === null ? null : performance.now() + etaMs
        if (message !== undefined) this.message = message
        this.counters = { ...this.counters, ...update }
        this.maybeEmit(options?.committed)
      },
      skip: (file) => {
        this.skipped.push(file)
        this.maybeEmit()
      },
    }
    // Start on the next tick, so the caller has the job id before the first progress event arrives.
    this.finished = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => body(ctx))
      .then(
        () => {
          this.state = this.abort.signal.aborted ? 'cancelled' : 'done'
        },
        (error: unknown) => {
          this.state = 'failed'
          this.message = error instanceof Error ? error.message : String(error)
        },
      )
      .then(() => {
        const final = this.progress()
        this.emit(final)
        return final
      })
  }

  cancel(): boolean {
    if (this.state !== 'running') return false
    this.abort.abort()
    return true
  }

  progress(): JobProgress {
    const elapsedMs = performance.now() - this.started
    const { done, total } = this.counters
    // Rate over the whole run: steadier than an instantaneous one, and honest once a few items are in.
    const perSec = done >= 3 && elapsedMs > 200 ? (done / elapsedMs) * 1000 : null
    const byRate = perSec && total !== null ? (Math.max(0, total - done) / perSec) * 1000 : null
    const etaMs = this.endsAt === undefined ? byRate : this.endsAt === null ? null : Math.max(0, this.endsAt - performance.now())
    return {
      jobId: this.id,
      kind: this.kind,
      projectDir: this.projectDir,
      state: this.state,
      ...this.counters,
      skipped: [...this.skipped],
      perSec,
      etaMs: this.state === 'running' ? etaMs : 0,
      elapsedMs,
      ...(this.message ? { message: this.message } : {}),
    }
  }

  private maybeEmit(always = false) {
    const now = performance.now()
    if (!always && now - this.lastReport < REPORT_EVERY_MS) return
    this.lastReport = now
    this.emit(this.progress())
  }
}

/** Keeps the running jobs and forwards their progress to one listener (the studio, which forwards to the UI). */
export class JobRunner extends EventEmitter<{ progress: [JobProgress] }> {
  private readonly jobs = new Map<string, Job>()

  start(kind: JobKind, projectDir: string, body: (ctx: JobContext) => Promise<void>): Job {
    const job = new Job(kind, projectDir, body, (p) => this.emit('progress', p))
    this.jobs.set(job.id, job)
    void job.finished.then(() => this.jobs.delete(job.id))
    return job
  }

  /**
   * Start a job whose work has an answer (what was imported, kindled, predicted): `result` settles with it, or with the
   * error that failed the job, when the job ends.
   */
  startWithResult<T>(kind: JobKind, projectDir: string, body: (ctx: JobContext) => Promise<T>): { job: Job; result: Promise<T> } {
    let settle!: { resolve: (r: T) => void; reject: (e: unknown) => void }
    const result = new Promise<T>((resolve, reject) => (settle = { resolve, reject }))
    result.catch(() => {}) // the job's own end reports a failure; a caller that never awaits `result` is not left with a rejection
    const job = this.start(kind, projectDir, async (ctx) => {
      try {
        settle.resolve(await body(ctx))
      } catch (error) {
        settle.reject(error)
        throw error
      }
    })
    return { job, result }
  }

  cancel(jobId: string): boolean {
    return this.jobs.get(jobId)?.cancel() ?? false
  }

  running(): JobProgress[] {
    return [...this.jobs.values()].map((j) => j.progress())
  }

  /** Cancel everything and wait for it to wind down (closing a project, shutting down). */
  async stopAll(): Promise<void> {
    const all = [...this.jobs.values()]
    all.forEach((j) => j.cancel())
    await Promise.all(all.map((j) => j.finished))
  }
}
