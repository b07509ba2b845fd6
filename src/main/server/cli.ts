// `kindling`: the studio without a window. Every command runs the same Studio object the UI talks to.
// Exit codes: 0 when the command did its job (a skipped bad photo is reported, not fatal), 1 with a one-line reason
// when it could not, 2 for a command line that does not parse.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { JobProgress } from '../../shared/api.js'
import { appRoot, rendererDir } from '../paths.js'
import { Studio, STUDIO_VERSION } from '../studio.js'
import { ANCHORS_USAGE, anchorsCommand } from './commands/anchors.js'
import { DEPLOY_USAGE, deployCommand } from './commands/deploy.js'
import { DEVICES_USAGE, devicesCommand } from './commands/devices.js'
import { EVAL_USAGE, evalCommand } from './commands/eval.js'
import { describeExport, describeImport, LABELS_USAGE, labelsExportOptions, labelsImportOptions } from './commands/labels.js'
import { PREDICT_USAGE, predictCommand } from './commands/predict.js'
import { PRESETS_USAGE, presetsCommand } from './commands/presets.js'
import { runsCommand, TRAIN_USAGE, trainCommand } from './commands/train.js'
import { KINDLE_USAGE, kindleCommand } from '../kindle/index.js'
import { startServer } from './serve.js'
import { type Command, parseOptions as parse, runCommand, UsageError } from './usage.js'

const USAGE = `kindling ${STUDIO_VERSION} — Kindling Studio from the command line

  kindling serve  [--project DIR] [--port N]   serve the studio UI on 127.0.0.1 (prints the URL with its token)
  kindling import PHOTOS --project DIR [--json] import a folder of photos (recursively) into a project
  kindling status --project DIR [--json]        counts of images, boxes, reviewed and kindled images, classes
  kindling demo   [--project DIR]               create the demo project from the sample photos
${LABELS_USAGE}
${KINDLE_USAGE}
${TRAIN_USAGE}
${PREDICT_USAGE}
${EVAL_USAGE}
${ANCHORS_USAGE}
${PRESETS_USAGE}
${DEVICES_USAGE}
${DEPLOY_USAGE}
  kindling help                                 this text`

const commands: Record<string, Command> = {
  serve,
  import: importCommand,
  status,
  demo,
  export: exportCommand,
  kindle: kindleCommand,
  train: trainCommand,
  runs: runsCommand,
  predict: predictCommand,
  eval: evalCommand,
  anchors: anchorsCommand,
  presets: presetsCommand,
  devices: devicesCommand,
  deploy: deployCommand,
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || ['help', '--help', '-h'].includes(name)) {
    console.log(USAGE)
    return 0
  }
  const command: Command = Object.hasOwn(commands, name)
    ? commands[name]
    : async () => {
        throw new UsageError(`unknown command "${name}"`)
      }
  return runCommand(command, rest)
}

function requireProject(project: string | undefined): string {
  if (!project) throw new UsageError('--project DIR is required')
  return path.resolve(project)
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { project: { type: 'string' }, port: { type: 'string' } })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, not ${values.port}`)
  ensureRendererBuilt()
  const studio = new Studio()
  if (values.project) await studio.openProject(values.project, { create: true })
  const server = await startServer({ studio, port }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: pass --port N (0 picks a free one)`) : error
  })
  console.log(`Kindling Studio${values.project ? ` (${path.resolve(values.project)})` : ''} at ${server.url}`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await server.close()
  await studio.close()
  return 0
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      project: { type: 'string' },
      json: { type: 'boolean' },
      labels: { type: 'string', multiple: true },
      format: { type: 'string' },
    },
    1,
  )
  const dir = positionals[0]
  if (!dir) throw new UsageError('which folder? kindling import PHOTOS --project DIR')
  const labels = labelsImportOptions({ dir, labels: values.labels, format: values.format })
  const studio = new Studio()
  try {
    await studio.openProject(requireProject(values.project), { create: true })
    if (!labels) {
      const final = await runJob(studio, () => studio.importFolder(dir), values.json)
      return final.state === 'done' ? 0 : 1
    }
    const { job, result } = studio.importLabels(labels)
    result.catch(() => {}) // the job's end reports the failure
    const final = await runJob(studio, () => job, values.json, false)
    if (final.state !== 'done') return 1
    const imported = await result
    if (values.json) console.log(JSON.stringify(imported))
    else for (const line of describeImport(imported)) console.log(line)
    return 0
  } finally {
    await studio.close()
  }
}

async function exportCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    project: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    sources: { type: 'string' },
    overwrite: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  const options = labelsExportOptions(values)
  const studio = new Studio()
  try {
    await studio.openProject(requireProject(values.project))
    const result = await studio.exportLabels(options)
    if (values.json) console.log(JSON.stringify(result))
    else for (const line of describeExport(result)) console.log(line)
    return 0
  } finally {
    await studio.close()
  }
}

async function demo(args: string[]): Promise<number> {
  const { values } = parse(args, { project: { type: 'string' }, json: { type: 'boolean' } })
  const studio = new Studio()
  try {
    const { project, job } = await studio.createDemo(values.project && path.resolve(values.project))
    const final = await runJob(studio, () => job, values.json)
    if (!values.json) console.log(`Demo project ready in ${project.dir}: kindling serve --project ${project.dir}`)
    return final.state === 'done' ? 0 : 1
  } finally {
    await studio.close()
  }
}

async function status(args: string[]): Promise<number> {
  const { values } = parse(args, { project: { type: 'string' }, json: { type: 'boolean' } })
  const studio = new Studio()
  try {
    const info = await studio.openProject(requireProject(values.project))
    const backend = await studio.backend()
    const { byState, ...counts } = info.counts
    if (values.json) console.log(JSON.stringify({ ...counts, backend }))
    else {
      console.log(`${info.name} (${info.dir})`)
      console.log(`  images   ${counts.images}  (new ${byState.new}, kindled ${byState.kindled}, reviewed ${byState.reviewed})`)
      console.log(`  boxes    ${counts.boxes}`)
      console.log(`  classes  ${counts.classes}`)
      console.log(`  backend  ${describeBackend(backend)}`)
    }
    return 0
  } finally {
    await studio.close()
  }
}

/** Run a job to its end, drawing a progress line on a terminal, then print what it did. Ctrl-C cancels cleanly. */
async function runJob(
  studio: Studio,
  start: () => { id: string; finished: Promise<JobProgress> },
  json = false,
  summary = true,
) {
  const job = start()
  const tty = process.stderr.isTTY && !json
  const onProgress = (e: { event: string; payload: unknown }) => {
    if (!tty || e.event !== 'job.progress') return
    const p = e.payload as JobProgress
    const eta = p.etaMs === null ? '' : `, ${Math.ceil(p.etaMs / 1000)} s left`
    process.stderr.write(`\r${p.done}/${p.total ?? '?'} files${eta}   `)
  }
  const cancel = () => studio.cancelJob(job.id)
  studio.on('event', onProgress)
  process.once('SIGINT', cancel)
  const final = await job.finished
  process.off('SIGINT', cancel)
  studio.off('event', onProgress)
  if (tty) process.stderr.write('\r\x1b[K')
  if (summary) {
    if (json) console.log(JSON.stringify(final))
    else printSummary(final)
  } else if (final.message) console.error(`kindling: ${final.message}`)
  return final
}

function printSummary(p: JobProgress) {
  const seconds = (p.elapsedMs / 1000).toFixed(1)
  const verb = { done: 'Imported', cancelled: 'Cancelled after importing', failed: 'Failed after importing', running: '' }
  console.log(`${verb[p.state]} ${p.imported} photo${p.imported === 1 ? '' : 's'} in ${seconds} s` +
    (p.duplicates ? `; ${p.duplicates} already in the project` : ''))
  if (p.skipped.length) {
    console.log(`Skipped ${p.skipped.length} file${p.skipped.length === 1 ? '' : 's'}:`)
    for (const s of p.skipped) console.log(`  ${s.path}: ${s.reason}`)
  }
  if (p.message) console.error(`kindling: ${p.message}`)
}

const describeBackend = (b: { name: string; version: string; threads: number }) =>
  `${b.name} ${b.version}, ${b.threads} thread${b.threads === 1 ? '' : 's'}`

/** Serve mode needs the renderer build; build it once on first use rather than fail on a fresh clone. */
function ensureRendererBuilt() {
  if (fs.existsSync(path.join(rendererDir(), 'index.html'))) return
  console.error('Building the studio UI (first run)…')
  const bin = path.join(appRoot(), 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const built = spawnSync(process.execPath, [bin, 'build'], { cwd: appRoot(), stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error('building the UI failed: run `npm run build` to see why')
}
