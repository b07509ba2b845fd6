// The Devices page: this computer and the paired devices; for the selected one, "Test connection", a deploy of a
// preset on a runtime (ONNX Runtime or TF.js wasm) and precision — or two deploys side by side: random weights,
// runtimes, precisions — the live view — latency over time, a histogram, p50/p90/p99, FPS and, on a Pi, the
// temperature — and the history of every deployment to compare.
import { useCallback, useEffect, useRef, useState } from 'react'
import {
  type Deployment,
  type DeployPhase,
  type DeployPrecision,
  type DeployRuntimeChoice,
  type Device,
  type DeviceInfo,
  type LatencySample,
  PI_PRESET,
} from '../../../../shared/api'
import { latencyStats } from '../../../../shared/latency'
import { useStudio, useStudioEvents } from '../../api/context'
import { useExternalChanges } from '../../state/useExternalChanges'
import { errorMessage } from '../../state/errors'
import { devicesModelOf } from '../../state/usePage'
import '../../styles/devices.css'
import { Histogram, LatencyChart } from './LatencyChart'
import { PairForm } from './PairForm'

interface Live {
  deployment: Deployment
  phase: DeployPhase
  detail?: string
  samples: LatencySample[]
}

export function DevicesPage() {
  const studio = useStudio()
  const [devices, setDevices] = useState<Device[]>([])
  const [selected, setSelected] = useState<string>('this-computer')
  const [pairing, setPairing] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const reload = useCallback(async () => {
    setDevices(await studio.request('devices.list', {}))
  }, [studio])
  useEffect(() => {
    void reload().catch((e: unknown) => setError(errorMessage(e)))
  }, [reload])

  const device = devices.find((d) => d.name === selected) ?? devices[0]
  return (
    <div className="devices" data-testid="devices-page">
      <aside className="device-list">
        <ul>
          {devices.map((d) => (
            <li key={d.id}>
              <button
                className={`device-item${d.name === device?.name ? ' is-active' : ''}`}
                onClick={() => (setSelected(d.name), setPairing(false))}
                data-testid={`device-${d.name}`}
              >
                <span className="device-name">{d.kind === 'local' ? 'This computer' : d.name}</span>
                <span className="device-where">{d.kind === 'local' ? 'no SSH' : `${d.user}@${d.host}:${d.port}`}</span>
              </button>
            </li>
          ))}
        </ul>
        <button className="button is-primary" onClick={() => setPairing(true)} data-testid="pair-open">
          Pair a device
        </button>
        {error && <p className="form-error">{error}</p>}
      </aside>
      <section className="device-main">
        {pairing ? (
          <PairForm
            onCancel={() => setPairing(false)}
            onPaired={(d) => {
              setPairing(false)
              setSelected(d.name)
              void reload()
            }}
          />
        ) : device ? (
          <DevicePanel key={device.name} device={device} onChanged={() => void reload()} />
        ) : null}
      </section>
    </div>
  )
}

/** The model select's entry for a model folder (no preset has this name: names are kebab-case). */
const FOLDER = ':folder'

/** How a deployment runs: the runtime, ONNX Runtime's threads (undefined: the device's cores) and the precision. */
interface RunOn {
  runtime: DeployRuntimeChoice
  threads?: number
  precision: DeployPrecision
}

/** What a deployment ran on, as the runner reported it (or, before it did, what was asked). */
function describeRuntime(d: Deployment): string {
  if (d.runtime === null) {
    const { runtime, threads, precision } = d.requested
    const asked = runtime === 'auto' ? 'auto' : runtime === 'onnx' ? 'ONNX Runtime' : 'TF.js wasm'
    return `${asked}${threads ? ` · ${threads} threads` : ''} · ${precision}`
  }
  const name = d.runtime === 'onnx' ? 'ONNX Runtime' : 'TF.js wasm'
  return `${name} · ${d.threads} thread${d.threads === 1 ? '' : 's'} · ${d.precision}`
}

function DevicePanel({ device, onChanged }: { device: Device; onChanged(): void }) {
  const studio = useStudio()
  const [info, setInfo] = useState<DeviceInfo | null>(device.info)
  const [testing, setTesting] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const [presets, setPresets] = useState<string[]>([])
  // A preset, or (FOLDER) a TF.js layers model folder — a trained model, to compare with its architecture re-initialised.
  // The Train page's "Deploy…" opens this page at `#devices?model=PATH`: that folder is chosen.
  const [askedModel] = useState(() => devicesModelOf(location.hash))
  const [preset, setPreset] = useState(askedModel ? FOLDER : PI_PRESET)
  const [modelDir, setModelDir] = useState(askedModel ?? '')
  const [iterations, setIterations] = useState('50')
  const [runtime, setRuntime] = useState<DeployRuntimeChoice>('auto')
  const [precision, setPrecision] = useState<DeployPrecision>('fp32')
  const [threads, setThreads] = useState('')
  const [history, setHistory] = useState<Deployment[]>([])
  const [live, setLive] = useState<Live | null>(null)
  const [comparing, setComparing] = useState(false)
  // Deployments that have finished, and who waits for one to finish (the comparison runs them one after the other).
  const finishedIds = useRef(new Set<number>())
  const waiters = useRef(new Map<number, () => void>())

  const loadHistory = useCallback(async () => {
    setHistory(await studio.request('deploy.history', { device: device.name, limit: 50 }))
  }, [studio, device.name])
  useExternalChanges(() => void loadHistory()) // a `kindling deploy` in a terminal adds to the history
  useEffect(() => {
    void studio.request('deploy.presets', {}).then(setPresets)
    void loadHistory()
  }, [studio, loadHistory])

  useStudioEvents((e) => {
    if (e.event === 'deploy.sample' && e.payload.device === device.name) {
      const { deploymentId, i, ms, tempC } = e.payload
      setLive((l) => (l && l.deployment.id === deploymentId ? { ...l, samples: [...l.samples, { i, ms, tempC }] } : l))
    } else if (e.event === 'deploy.changed' && e.payload.device === device.name) {
      const { phase, detail, ...deployment } = e.payload
      // A new deployment takes over the live view once the one shown has finished (or none is shown).
      setLive((l) =>
        !l || l.deployment.id === deployment.id || l.phase === 'finished'
          ? { deployment, phase, detail, samples: l?.deployment.id === deployment.id ? l.samples : [] }
          : l,
      )
      if (phase === 'finished') {
        finishedIds.current.add(deployment.id)
        waiters.current.get(deployment.id)?.()
        void loadHistory()
      }
    }
  })

  const chosen: RunOn = { runtime, precision, ...(threads.trim() ? { threads: Number(threads) } : {}) }
  const start = async (randomWeights: boolean, on: RunOn = chosen): Promise<number | null> => {
    setProblem(null)
    try {
      const n = Number(iterations)
      const model = preset === FOLDER ? { modelDir } : { preset }
      return (await studio.request('deploy.start', { device: device.name, ...model, iterations: n, randomWeights, ...on })).deploymentId
    } catch (e) {
      setProblem(errorMessage(e))
      return null
    }
  }
  const finished = (id: number) =>
    new Promise<void>((resolve) => {
      if (finishedIds.current.has(id)) resolve()
      else waiters.current.set(id, resolve)
    })
  // "Compare": two deployments one after the other — the model as it is (a preset's seeded weights, or a folder's
  // trained ones) then the same architecture with fresh random weights; or the model on ONNX Runtime then on TF.js
  // wasm; or at fp32 then at int8.
  const compare = async (first: [boolean, RunOn], second: [boolean, RunOn]) => {
    setComparing(true)
    try {
      const a = await start(...first)
      if (a === null) return
      await finished(a)
      const b = await start(...second)
      if (b !== null) await finished(b)
    } finally {
      setComparing(false)
    }
  }
  const compareRandom = () => compare([false, chosen], [true, chosen])
  const compareRuntimes = () =>
    compare([false, { ...chosen, runtime: 'onnx', precision: 'fp32' }], [false, { runtime: 'tfjs', precision: 'fp32' }])
  const ortRuntime: DeployRuntimeChoice = runtime === 'tfjs' ? 'auto' : runtime
  const comparePrecisions = () =>
    compare([false, { ...chosen, runtime: ortRuntime, precision: 'fp32' }], [false, { ...chosen, runtime: ortRuntime, precision: 'int8' }])
  const running = (live !== null && live.phase !== 'finished') || comparing

  const test = async () => {
    setTesting(true)
    setProblem(null)
    try {
      setInfo(await studio.request('devices.test', { name: device.name }))
      onChanged()
    } catch (e) {
      setProblem(errorMessage(e))
    } finally {
      setTesting(false)
    }
  }
  const show = async (id: number) => {
    const { deployment, samples } = await studio.request('deploy.samples', { deploymentId: id })
    setLive({ deployment, phase: 'finished', samples })
  }

  const stats = live ? latencyStats(live.samples.map((s) => s.ms)) : null
  const lastTemp = live?.samples.findLast((s) => s.tempC !== null)?.tempC ?? null
  return (
    <div className="device-panel">
      <header className="device-header">
        <div>
          <h2>{device.kind === 'local' ? 'This computer' : device.name}</h2>
          {device.hostKey && (
            <p className="muted">
              {device.user}@{device.host}:{device.port} · host key <code>{device.hostKey.fingerprint}</code> (pinned)
            </p>
          )}
        </div>
        <button className="button" onClick={() => void test()} disabled={testing} data-testid="device-test">
          {testing ? 'Testing…' : 'Test connection'}
        </button>
      </header>
      {info && (
        <dl className="device-info" data-testid="device-info">
          <dt>Architecture</dt>
          <dd>{info.arch}</dd>
          <dt>OS</dt>
          <dd>{info.os}</dd>
          <dt>Node</dt>
          <dd>{info.node ?? 'not found: install Node.js 18 or newer'}</dd>
          <dt>CPU</dt>
          <dd>
            {info.cpu ?? 'unknown'}
            {info.cores ? `, ${info.cores} cores` : ''}
          </dd>
          {info.piModel && (
            <>
              <dt>Pi</dt>
              <dd>{info.piModel}</dd>
            </>
          )}
          {info.tempC !== null && (
            <>
              <dt>Temperature</dt>
              <dd>{info.tempC} °C</dd>
            </>
          )}
          {info.throttled !== null && (
            <>
              <dt>Throttling</dt>
              <dd>
                {info.throttled} {info.throttling.length ? `(${info.throttling.join(', ')})` : '(none)'}
              </dd>
            </>
          )}
        </dl>
      )}
      {problem && (
        <p className="form-error" role="alert" data-testid="device-error">
          {problem}
        </p>
      )}

      <div className="deploy-bar">
        <label>
          Model
          <select value={preset} onChange={(e) => setPreset(e.target.value)} data-testid="deploy-preset">
            {(presets.length ? presets : [preset])
              .filter((p) => p !== FOLDER)
              .map((p) => (
                <option key={p}>{p}</option>
              ))}
            <option value={FOLDER}>A model folder…</option>
          </select>
        </label>
        {preset === FOLDER && (
          <label>
            Folder (TF.js layers model)
            <input
              value={modelDir}
              onChange={(e) => setModelDir(e.target.value)}
              placeholder="/path/to/model (holds model.json)"
              size={34}
              data-testid="deploy-model-dir"
            />
          </label>
        )}
        <label>
          Runtime
          <select
            value={runtime}
            onChange={(e) => {
              const r = e.target.value as DeployRuntimeChoice
              setRuntime(r)
              // TF.js wasm runs fp32 on one thread only.
              if (r === 'tfjs') {
                setPrecision('fp32')
                setThreads('')
              }
            }}
            data-testid="deploy-runtime"
          >
            <option value="auto">Auto (ONNX Runtime, else TF.js)</option>
            <option value="onnx">ONNX Runtime</option>
            <option value="tfjs">TF.js wasm</option>
          </select>
        </label>
        <label>
          Precision
          <select
            value={precision}
            onChange={(e) => setPrecision(e.target.value as DeployPrecision)}
            disabled={runtime === 'tfjs'}
            data-testid="deploy-precision"
          >
            <option value="fp32">fp32</option>
            <option value="int8">int8</option>
          </select>
        </label>
        <label>
          Threads
          <input
            value={threads}
            onChange={(e) => setThreads(e.target.value)}
            inputMode="numeric"
            size={4}
            placeholder={runtime === 'tfjs' ? '1' : 'all'}
            disabled={runtime === 'tfjs'}
            title="ONNX Runtime's threads; empty: all the device's cores"
            data-testid="deploy-threads"
          />
        </label>
        <label>
          Runs
          <input
            value={iterations}
            onChange={(e) => setIterations(e.target.value)}
            inputMode="numeric"
            size={5}
            data-testid="deploy-iterations"
          />
        </label>
        <button className="button is-primary" disabled={running} onClick={() => void start(false)} data-testid="deploy-start">
          Deploy and benchmark
        </button>
        <button
          className="button"
          disabled={running}
          onClick={() => void compareRandom()}
          title="The model's weights, then the same layers with random weights"
          data-testid="deploy-compare"
        >
          Compare with random weights
        </button>
        <button
          className="button"
          disabled={running}
          onClick={() => void compareRuntimes()}
          title="The model on ONNX Runtime, then on TF.js wasm"
          data-testid="deploy-compare-runtimes"
        >
          Compare runtimes
        </button>
        <button
          className="button"
          disabled={running}
          onClick={() => void comparePrecisions()}
          title="The model at fp32, then at int8 (its int8 export), on ONNX Runtime"
          data-testid="deploy-compare-precisions"
        >
          Compare fp32 / int8
        </button>
        {live && live.phase !== 'finished' && (
          <button
            className="button"
            onClick={() => void studio.request('deploy.cancel', { deploymentId: live.deployment.id })}
            data-testid="deploy-cancel"
          >
            Cancel
          </button>
        )}
      </div>

      {live && (
        <div className="live" data-testid="live">
          <p className="live-status" data-testid="live-status">
            {live.deployment.model}
            {live.deployment.randomWeights ? ' (random weights)' : ''} · {live.phase === 'finished' ? live.deployment.state : live.phase}
            {live.detail ? ` · ${live.detail}` : ''}
            {live.phase === 'finished' && live.deployment.state !== 'running' ? ` · uploaded ${formatBytes(live.deployment.uploadedBytes)}` : ''}
          </p>
          <p className="live-runtime" data-testid="live-runtime">
            {describeRuntime(live.deployment)}
            {live.deployment.fallback ? ` — ONNX Runtime not used: ${live.deployment.fallback}` : ''}
          </p>
          {live.deployment.message && <p className="form-error">{live.deployment.message}</p>}
          <div className="stats" data-testid="stats">
            <Stat label="samples" value={String(live.samples.length)} testId="stat-samples" />
            <Stat label="p50" value={ms(stats?.p50Ms)} testId="stat-p50" />
            <Stat label="p90" value={ms(stats?.p90Ms)} />
            <Stat label="p99" value={ms(stats?.p99Ms)} />
            <Stat label="FPS" value={stats ? stats.fps.toFixed(1) : '–'} testId="stat-fps" />
            {lastTemp !== null && <Stat label="temp" value={`${lastTemp} °C`} />}
          </div>
          <div className="charts">
            <LatencyChart samples={live.samples} />
            <Histogram samples={live.samples} />
          </div>
        </div>
      )}

      <h3>History</h3>
      <table className="history" data-testid="history">
        <thead>
          <tr>
            <th>When</th>
            <th>Model</th>
            <th>Runtime</th>
            <th>State</th>
            <th>Samples</th>
            <th>p50</th>
            <th>p90</th>
            <th>p99</th>
            <th>FPS</th>
            <th>Uploaded</th>
          </tr>
        </thead>
        <tbody>
          {history.map((d) => (
            <tr
              key={d.id}
              onClick={() => void show(d.id)}
              className={live?.deployment.id === d.id ? 'is-active' : undefined}
              title={d.message ?? undefined}
            >
              <td>{new Date(d.startedAt).toLocaleString()}</td>
              <td>
                {d.model}
                {d.randomWeights ? ' (random)' : ''}
              </td>
              <td title={d.fallback ? `ONNX Runtime not used: ${d.fallback}` : undefined}>
                {describeRuntime(d)}
                {d.fallback ? ' (fallback)' : ''}
              </td>
              <td>{d.state}</td>
              <td>{d.samples}</td>
              <td>{ms(d.summary?.p50Ms)}</td>
              <td>{ms(d.summary?.p90Ms)}</td>
              <td>{ms(d.summary?.p99Ms)}</td>
              <td>{d.summary?.fps ? d.summary.fps.toFixed(1) : '–'}</td>
              <td>{formatBytes(d.uploadedBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat">
      <span className="stat-value" data-testid={testId}>
        {value}
      </span>
      <span className="stat-label">{label}</span>
    </div>
  )
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(1)} ms`)
const formatBytes = (n: number) => (n === 0 ? 'nothing' : n < 1e6 ? `${(n / 1e3).toFixed(0)} kB` : `${(n / 1e6).toFixed(1)} MB`)
