// `kindling deploy --project DIR --device NAME (--preset NAME | --model DIR | --run ID [--epoch N]) [--iterations N] [--warmup W]
// [--runtime auto|onnx|tfjs] [--threads N] [--precision fp32|int8] [--random-weights] [--json]`: deploy and benchmark,
// streaming each sample as it arrives, ending with `RESULT {"device":…,"samples":N,"p50Ms":…,"p90Ms":…,"p99Ms":…,
// "fps":…,"runtime":…,"threads":…,"precision":…}` (what the runner reported it ran on). Exit 1 with the reason when the
// deployment fails (a changed host key says "host key"); Ctrl-C cancels the run on the device and keeps the samples so
// far. Under --runtime auto a fall back to TF.js is said on stderr, with the reason.
import type { Deployment, StudioEvent } from '../../../shared/api.js'
import { parseOptions, UsageError } from '../usage.js'
import { checked } from './devices.js'
import { withProject } from '../cli-studio.js'

export const DEPLOY_USAGE =
  '  kindling deploy --project DIR --device NAME (--preset NAME | --model DIR | --run ID [--epoch N])\n' +
  '                 [--iterations N] [--warmup W] [--runtime auto|onnx|tfjs] [--threads N] [--precision fp32|int8]\n' +
  '                 [--random-weights] [--json]\n' +
  "                                                deploy a model (a training run: its best checkpoint, or epoch N's)\n" +
  '                                                to a device and benchmark it there (N inferences); streams samples,\n' +
  '                                                then RESULT {"device":…,"samples":N,"p50Ms":…,"p90Ms":…,"p99Ms":…,"fps":…,\n' +
  '                                                "runtime":…,"threads":…,"precision":…}'

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`)
}

const whole = (name: string, value: string | undefined, min: number, fallback: number) => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not "${value}"`)
  return n
}

export async function deployCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    device: { type: 'string' },
    preset: { type: 'string' },
    model: { type: 'string' },
    run: { type: 'string' },
    epoch: { type: 'string' },
    iterations: { type: 'string' },
    warmup: { type: 'string' },
    'random-weights': { type: 'boolean' },
    runtime: { type: 'string' },
    threads: { type: 'string' },
    precision: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (!values.device) throw new UsageError('--device NAME is required (kindling devices list shows them)')
  if ([values.preset, values.model, values.run].filter((v) => v !== undefined).length !== 1) {
    throw new UsageError('give one of --preset NAME, --model DIR or --run ID')
  }
  const runId = values.run === undefined ? undefined : whole('run', values.run, 1, 1)
  if (values.epoch !== undefined && runId === undefined) throw new UsageError("--epoch picks a run's checkpoint: give --run ID with it")
  const epoch = values.epoch === undefined ? undefined : whole('epoch', values.epoch, 1, 1)
  const iterations = whole('iterations', values.iterations, 1, 100)
  const warmup = whole('warmup', values.warmup, 0, 5)
  const threads = values.threads === undefined ? undefined : whole('threads', values.threads, 1, 1)
  const runtime = oneOf('runtime', values.runtime, ['auto', 'onnx', 'tfjs'] as const)
  const precision = oneOf('precision', values.precision, ['fp32', 'int8'] as const)
  if (runtime === 'tfjs' && threads !== undefined && threads !== 1) throw new UsageError('--threads: TF.js wasm runs on one thread in Node')
  if (runtime === 'tfjs' && precision === 'int8') throw new UsageError('--precision int8 needs ONNX Runtime: TF.js runs the fp32 model only')

  return withProject(values.project, false, async (studio) => {
    let id: number | null = null
    const early: StudioEvent[] = []
    let settle!: (d: Deployment) => void
    const finished = new Promise<Deployment>((resolve) => (settle = resolve))
    let lastDetail = ''
    let lastPhase = ''
    const tty = process.stderr.isTTY && !values.json
    const handle = (e: StudioEvent) => {
      if (e.event === 'deploy.sample' && e.payload.deploymentId === id) {
        if (values.json) console.log(JSON.stringify({ type: 'sample', i: e.payload.i, ms: e.payload.ms, tempC: e.payload.tempC }))
        else console.log(`sample ${e.payload.i}: ${e.payload.ms.toFixed(2)} ms${e.payload.tempC !== null ? `, ${e.payload.tempC} °C` : ''}`)
      } else if (e.event === 'deploy.changed' && e.payload.id === id) {
        const { phase, detail } = e.payload
        if (tty && detail && detail !== lastDetail) process.stderr.write(`\r${(lastDetail = detail)}   `)
        else if (!values.json && phase !== 'finished' && !detail && phase !== lastPhase) console.error(`${phase}…`)
        lastPhase = phase
        if (phase === 'finished') settle(e.payload)
      }
    }
    // Events start before deploy.start answers (the deployment row exists at once): keep them until the id is known.
    const listener = (e: StudioEvent) => (id === null ? early.push(e) : handle(e))
    studio.on('event', listener)
    const cancel = () => {
      if (id !== null) void studio.handlers['deploy.cancel']({ deploymentId: id })
    }
    process.once('SIGINT', cancel)
    try {
      const params = checked('deploy.start', {
        device: values.device!,
        ...(runId !== undefined
          ? { runId, ...(epoch !== undefined ? { epoch } : {}) }
          : values.preset !== undefined
            ? { preset: values.preset }
            : { modelDir: values.model! }),
        iterations,
        warmup,
        randomWeights: values['random-weights'] ?? false,
        ...(runtime !== undefined ? { runtime } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(precision !== undefined ? { precision } : {}),
      })
      ;({ deploymentId: id } = await studio.handlers['deploy.start'](params))
      for (const e of early.splice(0)) handle(e)
      const d = await finished
      if (tty && lastDetail) process.stderr.write('\r\x1b[K')
      if (d.fallback && !values.json) console.error(`ran on TF.js wasm: ONNX Runtime not used — ${d.fallback}`)
      if (d.state === 'failed') throw new Error(d.message ?? 'the deployment failed')
      const s = d.summary
      if (!values.json) {
        console.log(
          `${d.run ? `run "${d.run.name}"${d.run.epoch !== null ? ` (epoch ${d.run.epoch})` : ''}` : d.model} on ${d.device}: ${d.samples} inferences timed, uploaded ${d.uploadedBytes} bytes${d.state === 'cancelled' ? ' (cancelled)' : ''}`,
        )
      }
      console.log(
        `RESULT ${JSON.stringify({
          device: d.device,
          samples: d.samples,
          p50Ms: s?.p50Ms ?? null,
          p90Ms: s?.p90Ms ?? null,
          p99Ms: s?.p99Ms ?? null,
          fps: s?.fps ?? null,
          runtime: d.runtime,
          threads: d.threads,
          precision: d.precision,
        })}`,
      )
      return d.state === 'done' ? 0 : 1
    } finally {
      process.off('SIGINT', cancel)
      studio.off('event', listener)
    }
  })
}
