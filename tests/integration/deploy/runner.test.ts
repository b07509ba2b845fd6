// The device runner as a device runs it: the built one-file bundle, alone in a folder with no node_modules anywhere
// above it, started with a plain `node` — the host's, and an arm64 Node 18 under qemu (an "emulated Pi"). ONNX Runtime
// comes from an --ort folder laid out exactly as the deploy uploads it (ortArtifact), or from the studio's own install.
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { exportPreset } from '../../../src/main/deploy/export-model.js'
import { ortArtifact, studioOrt } from '../../../src/main/deploy/ort-package.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { fixedInput } from '../../../src/runner/fixed-input.js'
import { modelFolder } from '../../../src/runner/load-model.js'
import { parseRunnerLine } from '../../../src/shared/runner-lines.js'
import { repoRoot, tempDir } from '../../helpers/fixtures.js'

const arm64Node = process.env.KINDLING_ARM64_NODE ?? '/opt/kindling/arm64-node/node'
const haveArm64 = fs.existsSync(arm64Node)
// .ci/run builds the emulated Pi and sets this, so CI can never pass by skipping the arm64 test.
const requireArm64 = process.env.KINDLING_REQUIRE_ARM64 === '1'

type Line = { type: string } & Record<string, unknown>
interface RunResult {
  code: number | null
  lines: Line[]
  stdout: string
  stderr: string
  /** ms from the stop signal to the process's exit. */
  stopMs?: number
}

interface RunOptions {
  node?: string
  /** Send this signal once this many lines of this type have arrived. */
  stopAfter?: { type: string; count: number; signal: NodeJS.Signals }
}

let runner: string
/** The exported preset: model.onnx, model.json + shard, detector.json. */
let model: string
/** The same preset's TF.js files only, as a model exported before ONNX export existed. */
let tfjsOnly: string
/** ONNX Runtime for this machine as the deploy lays it out on a device: the --ort folder. */
let ortDir: string
let expectedOutputs: { shape: number[]; sum: number; first: number[] }[]

function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [runner, ...args], { cwd: path.dirname(runner) })
    let stdout = ''
    let stderr = ''
    let seen = 0
    let stoppedAt: number | undefined
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const stop = options.stopAfter
      if (stop) seen = stdout.split('\n').filter((l) => l.startsWith(`{"type":"${stop.type}"`)).length
      if (stop && stoppedAt === undefined && seen >= stop.count) {
        stoppedAt = Date.now()
        child.kill(stop.signal)
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      try {
        const lines = stdout
          .split('\n')
          .filter((l) => l !== '')
          // Every line must be one the studio's schemas accept: they and the runner cannot drift apart.
          .map((l) => parseRunnerLine(l) as Line)
        resolve({ code, lines, stdout, stderr, stopMs: stoppedAt === undefined ? undefined : Date.now() - stoppedAt })
      } catch (e) {
        reject(new Error(`${(e as Error).message}\nstderr: ${stderr}`))
      }
    })
  })
}

const ofType = (r: RunResult, type: string) => r.lines.filter((l) => l.type === type)

function expectClose(actual: number, expected: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)))
}

function expectSameOutputs(actual: unknown) {
  const outputs = actual as typeof expectedOutputs
  expect(outputs.map((o) => o.shape)).toEqual(expectedOutputs.map((o) => o.shape))
  outputs.forEach((o, i) => {
    expectClose(o.sum, expectedOutputs[i].sum)
    o.first.forEach((v, k) => expectClose(v, expectedOutputs[i].first[k]))
  })
}

/**
 * Another runtime's outputs match TF.js's within 1e-4 relative to the output's scale (its largest |value| among those
 * reported); the sum, over n values, within 1e-4 of that scale times √n (rounding errors add up like a random walk).
 */
function expectMatchingOutputs(actual: unknown, expected = expectedOutputs) {
  const outputs = actual as typeof expectedOutputs
  expect(outputs.map((o) => o.shape)).toEqual(expected.map((o) => o.shape))
  outputs.forEach((o, i) => {
    const scale = Math.max(...expected[i].first.map(Math.abs))
    expect(scale).toBeGreaterThan(0)
    const n = o.shape.reduce((a, b) => a * b, 1)
    expect(Math.abs(o.sum - expected[i].sum), `output ${i}'s sum`).toBeLessThanOrEqual(1e-4 * scale * Math.sqrt(n))
    o.first.forEach((v, k) => expect(Math.abs(v - expected[i].first[k]), `output ${i}[${k}]`).toBeLessThanOrEqual(1e-4 * scale))
  })
}

const INFO_KEYS = [
  'arch',
  'backend',
  'classes',
  'cpu',
  'fallback',
  'inputShape',
  'node',
  'piModel',
  'platform',
  'precision',
  'runner',
  'runtime',
  'runtimeVersion',
  'task',
  'threads',
  'type',
]

const tfjsInfo = { runtime: 'tfjs', runtimeVersion: tf.version_core, backend: 'wasm', threads: 1, precision: 'fp32' }

/** What every successful run prints: info, (outputs), N samples numbered from 0, a summary of exactly those. */
function expectBenchmark(r: RunResult, n: number, arch: string, runtime: Record<string, unknown> = { ...tfjsInfo, fallback: null }) {
  expect(r.lines[0]).toMatchObject({ type: 'info', ...runtime, arch, platform: 'linux', inputShape: [1, 240, 320, 3] })
  expect(Object.keys(r.lines[0]).sort()).toEqual(INFO_KEYS)
  expect(r.lines[0].runner).toBe(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version)
  const samples = ofType(r, 'sample')
  expect(samples.map((s) => s.i)).toEqual([...Array(n).keys()])
  for (const s of samples) {
    expect(Object.keys(s).sort()).toEqual(['i', 'ms', 'tempC', 'type'])
    expect(s.ms).toBeGreaterThan(0)
    expect(s.tempC === null || typeof s.tempC === 'number').toBe(true)
  }
  const summary = r.lines[r.lines.length - 1]
  expect(summary.type).toBe('summary')
  expect(Object.keys(summary).sort()).toEqual(['fps', 'meanMs', 'p50Ms', 'p90Ms', 'p99Ms', 'samples', 'throttled', 'type'])
  expect(summary.samples).toBe(n)
  const ms = samples.map((s) => s.ms as number)
  const mean = ms.reduce((a, b) => a + b, 0) / n
  const { p50Ms, p90Ms, p99Ms, meanMs, fps } = summary as Record<string, number>
  expect(Math.min(...ms) - 0.001).toBeLessThanOrEqual(p50Ms)
  expect(p50Ms).toBeLessThanOrEqual(p90Ms)
  expect(p90Ms).toBeLessThanOrEqual(p99Ms)
  expect(p99Ms).toBeLessThanOrEqual(Math.max(...ms) + 0.001)
  expect(Math.abs(meanMs - mean)).toBeLessThan(0.01)
  expect(Math.abs(fps - 1000 / meanMs)).toBeLessThan(0.01 * fps)
  // A Pi's throttling flags, or null anywhere without vcgencmd.
  expect(summary.throttled === null || /^0x[0-9a-f]+$/i.test(summary.throttled as string)).toBe(true)
}

beforeAll(async () => {
  const dir = tempDir('kindling-runner-')
  runner = path.join(dir, 'bin', 'kindling-runner.cjs')
  await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts/build-runner.js'), '--outfile', runner])
  model = path.join(dir, 'model')
  await exportPreset('mobilenet-ssd-320x240', model)
  tfjsOnly = path.join(dir, 'tfjs-only')
  fs.mkdirSync(tfjsOnly)
  for (const f of ['model.json', 'group1-shard1of1.bin']) fs.copyFileSync(path.join(model, f), path.join(tfjsOnly, f))
  // The ONNX Runtime artifact the deploy would upload to this machine, placed as the device would hold it.
  ortDir = path.join(dir, 'ort')
  const artifact = ortArtifact(process.platform, process.arch)!
  for (const f of artifact.files) {
    fs.mkdirSync(path.dirname(path.join(ortDir, f.name)), { recursive: true })
    fs.copyFileSync(f.path, path.join(ortDir, f.name))
  }

  // What the studio computes for the runner's fixed input, on the same backend, from the exported files.
  await initEngine({ backend: 'wasm' })
  const loaded = await tfl.loadLayersModel(modelFolder(model))
  const input = tf.tensor(fixedInput([1, 240, 320, 3]), [1, 240, 320, 3])
  expectedOutputs = (loaded.predict(input) as tf.Tensor[]).map((t) => {
    const values = Array.from(t.dataSync())
    return { shape: t.shape, sum: values.reduce((a, b) => a + b, 0), first: values.slice(0, 8) }
  })
  loaded.dispose()
  input.dispose()
}, 120_000)

describe('the device runner on this machine', () => {
  it('is one file small enough to upload without a second thought', () => {
    expect(fs.readdirSync(path.dirname(runner))).toEqual(['kindling-runner.cjs'])
    expect(fs.statSync(runner).size).toBeLessThan(4e6)
  })

  it('prints info, one sample per timed run and a summary of them as JSON lines, and exits 0', async () => {
    const r = await run(['--model', model, '--runtime', 'tfjs', '--iterations', '20', '--warmup', '2', '--outputs'])
    expect(r.code, r.stderr).toBe(0)
    expectBenchmark(r, 20, process.arch)
    expect(r.lines[0].node).toBe(process.version)
    // What the folder's detector.json says the model is.
    expect(r.lines[0]).toMatchObject({ task: 'detect', classes: ['face'] })
    // The runner computes what the studio does for the exported model.
    expect(r.lines[1].type).toBe('outputs')
    expectSameOutputs(r.lines[1].outputs)
  })

  it('times a whole-image classifier the same way, knowing it by its description; a description that disagrees is an error', async () => {
    const classifier = (await exportPreset('mobilenet-classifier-160', path.join(tempDir(), 'classifier'))).dir
    for (const runtime of ['onnx', 'tfjs']) {
      const r = await run(['--model', classifier, '--runtime', runtime, '--ort', ortDir, '--iterations', '3', '--warmup', '1', '--outputs'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.lines.map((l) => l.type)).toEqual(['info', 'outputs', 'sample', 'sample', 'sample', 'summary'])
      expect(r.lines[0]).toMatchObject({ runtime, task: 'classify', classes: ['not tag', 'tag'], inputShape: [1, 160, 160, 3] })
      // One [1, classes] tensor of probabilities.
      const [probabilities] = r.lines[1].outputs as { shape: number[]; sum: number }[]
      expect(probabilities.shape).toEqual([1, 2])
      expect(probabilities.sum).toBeCloseTo(1, 5)
      expect(r.lines.at(-1)).toMatchObject({ type: 'summary', samples: 3, p50Ms: expect.any(Number), p90Ms: expect.any(Number) })
    }
    const file = path.join(classifier, 'detector.json')
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), classes: ['a', 'b', 'c'] }))
    const r = await run(['--model', classifier, '--iterations', '1', '--warmup', '0'])
    expect(r.code).toBe(1)
    expect(r.lines.at(-1)).toMatchObject({
      type: 'error',
      message: "detector.json says this is a classifier of 3 classes (one [1, 3] output), but the model's outputs are [1, 2]",
    })
  })

  it('reports no outputs unless asked', async () => {
    const r = await run(['--model', model, '--runtime', 'tfjs', '--iterations', '1', '--warmup', '0'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.lines.map((l) => l.type)).toEqual(['info', 'sample', 'summary'])
  })

  it('fails with exit 1 and a message naming a model folder that does not exist', async () => {
    const missing = path.join(tempDir(), 'no-such-model')
    const r = await run(['--model', missing])
    expect(r.code).toBe(1)
    expect(r.lines).toEqual([{ type: 'error', message: `the model folder ${missing} does not exist` }])
  })

  it('fails with exit 1 naming model.json when the folder has none', async () => {
    const empty = tempDir()
    const r = await run(['--model', empty, '--runtime', 'tfjs'])
    expect(r.code).toBe(1)
    expect(r.lines).toEqual([{ type: 'error', message: `the model file ${path.join(empty, 'model.json')} does not exist` }])
  })

  it('fails with exit 1 on a bad command line, saying what is wrong', async () => {
    const r = await run(['--model', model, '--iterations', 'many'])
    expect(r.code).toBe(1)
    expect(r.lines).toEqual([{ type: 'error', message: '--iterations must be a whole number ≥ 1, not "many"' }])
  })

  it('stops promptly on SIGTERM with a summary of the runs measured so far, exit 143', async () => {
    const r = await run(['--model', model, '--runtime', 'tfjs', '--iterations', '100000', '--warmup', '0'], {
      stopAfter: { type: 'sample', count: 3, signal: 'SIGTERM' },
    })
    expect(r.code, r.stderr).toBe(143)
    const samples = ofType(r, 'sample')
    expect(samples.length).toBeGreaterThanOrEqual(3)
    expect(samples.length).toBeLessThan(100000)
    const summary = r.lines[r.lines.length - 1]
    expect(summary).toMatchObject({ type: 'summary', samples: samples.length })
    expect(summary.p50Ms).toBeGreaterThan(0)
    // One run in progress is a few tens of ms here; a second would mean the signal was not heard.
    expect(r.stopMs).toBeLessThan(5000)
  })

  it('stopped while warming up, says it measured nothing', async () => {
    const r = await run(['--model', model, '--runtime', 'tfjs', '--warmup', '100000'], {
      stopAfter: { type: 'info', count: 1, signal: 'SIGTERM' },
    })
    expect(r.code, r.stderr).toBe(143)
    expect(r.lines.map((l) => l.type)).toEqual(['info', 'summary'])
    expect(r.lines[1]).toEqual({
      type: 'summary',
      samples: 0,
      p50Ms: null,
      p90Ms: null,
      p99Ms: null,
      meanMs: null,
      fps: null,
      throttled: null,
    })
  })

  it('stops on SIGINT too, exit 130', async () => {
    const r = await run(['--model', model, '--runtime', 'tfjs', '--iterations', '100000', '--warmup', '0'], {
      stopAfter: { type: 'sample', count: 1, signal: 'SIGINT' },
    })
    expect(r.code, r.stderr).toBe(130)
    expect(r.lines[r.lines.length - 1]).toMatchObject({ type: 'summary', samples: ofType(r, 'sample').length })
  })
})

describe('ONNX Runtime in the device runner on this machine', () => {
  const ortInfo = (threads: number, precision = 'fp32') => ({
    runtime: 'onnx',
    runtimeVersion: studioOrt()!.version,
    backend: 'cpu',
    threads,
    precision,
    fallback: null,
  })

  it('runs the model on ONNX Runtime by default, on every core, and computes what TF.js computes', async () => {
    const r = await run(['--model', model, '--ort', ortDir, '--iterations', '5', '--warmup', '1', '--outputs'])
    expect(r.code, r.stderr).toBe(0)
    expectBenchmark(r, 5, process.arch, ortInfo(os.cpus().length))
    expect(r.lines[1].type).toBe('outputs')
    expectMatchingOutputs(r.lines[1].outputs)
    // And what the runner's own TF.js runtime printed for the same model and input.
    const viaTfjs = await run(['--model', model, '--runtime', 'tfjs', '--iterations', '1', '--warmup', '0', '--outputs'])
    expectMatchingOutputs(r.lines[1].outputs, viaTfjs.lines[1].outputs as typeof expectedOutputs)
  })

  it("takes --threads, and finds the studio's own onnxruntime-node when the runner sits in the studio", async () => {
    const inStudio = path.join(repoRoot, 'resources', 'runner', `kindling-runner-test-${process.pid}.cjs`)
    fs.mkdirSync(path.dirname(inStudio), { recursive: true })
    fs.copyFileSync(runner, inStudio)
    try {
      const r = await new Promise<RunResult>((resolve, reject) => {
        execFile(
          process.execPath,
          [inStudio, '--model', model, '--runtime', 'onnx', '--threads', '1', '--iterations', '2'],
          (e, stdout, stderr) => {
            if (e && e.code !== 1) return reject(e)
            resolve({
              code: e ? 1 : 0,
              lines: stdout
                .trim()
                .split('\n')
                .map((l) => parseRunnerLine(l) as Line),
              stdout,
              stderr,
            })
          },
        )
      })
      expect(r.code, r.stderr).toBe(0)
      expectBenchmark(r, 2, process.arch, ortInfo(1))
    } finally {
      fs.rmSync(inStudio)
    }
  })

  it('runs model.int8.onnx for --precision int8, and names that file when it is missing', async () => {
    const missing = await run(['--model', model, '--ort', ortDir, '--precision', 'int8'])
    expect(missing.code).toBe(1)
    expect(missing.lines).toEqual([
      {
        type: 'error',
        message: `--precision int8 needs ${path.join(model, 'model.int8.onnx')}, which does not exist: export the model with int8`,
      },
    ])
    // The fp32 model stands in for an int8 one: what is checked is which file runs and what the runner reports.
    const withInt8 = path.join(tempDir(), 'int8')
    fs.cpSync(model, withInt8, { recursive: true })
    fs.copyFileSync(path.join(model, 'model.onnx'), path.join(withInt8, 'model.int8.onnx'))
    fs.rmSync(path.join(withInt8, 'model.onnx'))
    const r = await run(['--model', withInt8, '--ort', ortDir, '--precision', 'int8', '--threads', '2', '--iterations', '1', '--warmup', '0'])
    expect(r.code, r.stderr).toBe(0)
    expectBenchmark(r, 1, process.arch, ortInfo(2, 'int8'))
  })

  it('falls back to TF.js under auto when the model has no model.onnx, saying so, on one thread', async () => {
    const r = await run(['--model', tfjsOnly, '--ort', ortDir, '--threads', '2', '--iterations', '2', '--warmup', '0', '--outputs'])
    expect(r.code, r.stderr).toBe(0)
    expectBenchmark(r, 2, process.arch, {
      ...tfjsInfo,
      fallback: `there is no model.onnx in ${tfjsOnly} (the model was exported for TF.js only)`,
    })
    expectSameOutputs(r.lines[1].outputs)
  })

  it('falls back to TF.js under auto when onnxruntime-node is nowhere to be found, saying so', async () => {
    const r = await run(['--model', model, '--iterations', '1', '--warmup', '0'])
    expect(r.code, r.stderr).toBe(0)
    expectBenchmark(r, 1, process.arch, {
      ...tfjsInfo,
      fallback: 'onnxruntime-node is not installed where the runner can find it (no --ort folder was given)',
    })
  })

  it('fails with exit 1 under --runtime onnx when ONNX Runtime cannot load, naming why', async () => {
    const empty = tempDir()
    const none = await run(['--model', model, '--runtime', 'onnx', '--ort', empty])
    expect(none.code).toBe(1)
    expect(none.lines).toEqual([
      { type: 'error', message: `ONNX Runtime cannot run here: there is no onnxruntime-node in ${path.join(empty, 'node_modules')}` },
    ])
    // A damaged binding (say, an upload of the wrong file): the loader's own reason is passed on.
    const broken = path.join(tempDir(), 'broken-ort')
    fs.cpSync(ortDir, broken, { recursive: true })
    const binding = path.join(broken, 'node_modules/onnxruntime-node/bin/napi-v6', process.platform, process.arch, 'onnxruntime_binding.node')
    fs.writeFileSync(binding, 'not a shared library')
    const r = await run(['--model', model, '--runtime', 'onnx', '--ort', broken])
    expect(r.code).toBe(1)
    expect(r.lines).toHaveLength(1)
    expect(r.lines[0].message).toMatch(/^ONNX Runtime cannot run here: ONNX Runtime failed to load: .*(invalid ELF header|too short)/)
    // Under auto the same damage is a fallback, with the same reason.
    const auto = await run(['--model', model, '--ort', broken, '--iterations', '1', '--warmup', '0'])
    expect(auto.code, auto.stderr).toBe(0)
    expect(auto.lines[0]).toMatchObject({ runtime: 'tfjs', fallback: expect.stringMatching(/^ONNX Runtime failed to load: /) })
  })

  it('refuses what TF.js cannot do: more than one thread, int8', async () => {
    const threads = await run(['--model', model, '--runtime', 'tfjs', '--threads', '4'])
    expect(threads.code).toBe(1)
    expect(threads.lines).toEqual([
      { type: 'error', message: '--threads 4 is not possible with --runtime tfjs: the wasm backend runs on one thread in Node' },
    ])
    const int8 = await run(['--model', model, '--runtime', 'tfjs', '--precision', 'int8'])
    expect(int8.code).toBe(1)
    expect(int8.lines[0].message).toMatch(/^--precision int8 needs ONNX Runtime/)
    const bad = await run(['--model', model, '--runtime', 'fast'])
    expect(bad.lines).toEqual([{ type: 'error', message: '--runtime must be one of auto, onnx, tfjs, not "fast"' }])
  })
})

// Under qemu every instruction is emulated: a 320×240 inference takes seconds, so timings mean nothing here. What
// counts is that the bundle starts on arm64 Node 18 and computes the same numbers.
const arm64Title = haveArm64
  ? `the device runner on arm64 Node under qemu (${arm64Node})`
  : `the device runner on arm64 Node under qemu — SKIPPED: ${arm64Node} does not exist; build it with scripts/arm64-node.sh`
describe.skipIf(!haveArm64 && !requireArm64)(arm64Title, () => {
  it('runs on arm64 and computes what the studio computes', async () => {
    expect(haveArm64, `${arm64Node} is required here (KINDLING_REQUIRE_ARM64=1) but missing`).toBe(true)
    const started = Date.now()
    const r = await run(['--model', model, '--runtime', 'tfjs', '--iterations', '2', '--warmup', '0', '--outputs'], { node: arm64Node })
    const seconds = (Date.now() - started) / 1000
    expect(r.code, r.stderr).toBe(0)
    expectBenchmark(r, 2, 'arm64')
    expect(r.lines[0].node).toMatch(/^v18\./)
    expectSameOutputs(r.lines[1].outputs)
    console.info(`arm64 runner under qemu: 3 inferences in ${seconds.toFixed(1)} s`)
  }, 180_000)

  it('runs ONNX Runtime for arm64 from the folder the deploy uploads, with the outputs of x64', async () => {
    expect(haveArm64, `${arm64Node} is required here (KINDLING_REQUIRE_ARM64=1) but missing`).toBe(true)
    const armOrt = path.join(tempDir(), 'ort-arm64')
    for (const f of ortArtifact('linux', 'arm64')!.files) {
      fs.mkdirSync(path.dirname(path.join(armOrt, f.name)), { recursive: true })
      fs.copyFileSync(f.path, path.join(armOrt, f.name))
    }
    const onX64 = await run(['--model', model, '--ort', ortDir, '--runtime', 'onnx', '--iterations', '1', '--warmup', '0', '--outputs'])
    const r = await run(['--model', model, '--ort', armOrt, '--runtime', 'onnx', '--iterations', '2', '--warmup', '0', '--outputs'], {
      node: arm64Node,
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.lines[0]).toMatchObject({ arch: 'arm64', runtime: 'onnx', backend: 'cpu', fallback: null })
    expectMatchingOutputs(r.lines[1].outputs, onX64.lines[1].outputs as typeof expectedOutputs)
    expectMatchingOutputs(r.lines[1].outputs)
  }, 180_000)
})
