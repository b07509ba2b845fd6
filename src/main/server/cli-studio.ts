// How every `kindling` command reaches the studio and runs a job on it. `withStudio` and `withProject` hand the command
// a Studio (with its project open) and close it in finally, however the command ends; `runJobFromCli` runs one job to
// its end: Ctrl-C cancels it (it keeps what it finished), its progress shows as the command asks, and the command gets
// the final progress to report.
import path from 'node:path'
import type { JobProgress, ProjectInfo, StudioEvent } from '../../shared/api.js'
import type { Job } from '../jobs/index.js'
import { Studio } from '../studio.js'
import { UsageError } from './usage.js'

/** Run `f` on a new studio, closing it (its jobs, deployments and project) however `f` ends. */
export async function withStudio<T>(f: (studio: Studio) => Promise<T>): Promise<T> {
  const studio = new Studio()
  try {
    return await f(studio)
  } finally {
    await studio.close()
  }
}

/** Run `f` on a studio with `--project DIR` open; `create` makes an empty project there if the folder has none. */
export async function withProject<T>(
  project: string | undefined,
  create: boolean,
  f: (studio: Studio, info: ProjectInfo) => Promise<T>,
): Promise<T> {
  if (!project) throw new UsageError('--project DIR is required')
  return withStudio(async (studio) => f(studio, await studio.openProject(path.resolve(project), { create })))
}

export interface CliJobOptions<S> {
  /** The command prints JSON on stdout: no progress line on the terminal. */
  json?: boolean
  /** SIGTERM cancels too, as Ctrl-C does (for the long jobs a script or supervisor may stop); otherwise it ends the process. */
  sigterm?: boolean
  /** The line each progress event of the job draws over the last one on stderr, when stderr is a terminal. */
  progressLine?: (progress: JobProgress) => string
  /** The studio's events once the job has started, for a command that prints its own lines (a run's steps). */
  onEvent?: (event: StudioEvent, started: S) => void
}

/**
 * Start a job (`start` returns it, with whatever else the studio gave: a run id, a result to await) and wait for its
 * end. Returns what `start` returned and the job's final progress; the terminal's progress line is wiped first.
 */
export async function runJobFromCli<S extends { job: Job }>(
  studio: Studio,
  start: () => S | Promise<S>,
  options: CliJobOptions<S> = {},
): Promise<S & { final: JobProgress }> {
  const { json = false, progressLine, onEvent } = options
  const tty = progressLine !== undefined && process.stderr.isTTY && !json
  const signals: NodeJS.Signals[] = options.sigterm ? ['SIGINT', 'SIGTERM'] : ['SIGINT']
  let started: S | undefined
  const listener = (e: StudioEvent) => {
    if (!started) return
    onEvent?.(e, started)
    if (tty && progressLine && e.event === 'job.progress' && e.payload.jobId === started.job.id) {
      process.stderr.write(`\r${progressLine(e.payload)}   `)
    }
  }
  const cancel = () => started && studio.cancelJob(started.job.id)
  studio.on('event', listener)
  try {
    started = await start()
    for (const signal of signals) process.once(signal, cancel)
    const final = await started.job.finished
    return { ...started, final }
  } finally {
    for (const signal of signals) process.off(signal, cancel)
    studio.off('event', listener)
    if (tty && started) process.stderr.write('\r\x1b[K')
  }
}
