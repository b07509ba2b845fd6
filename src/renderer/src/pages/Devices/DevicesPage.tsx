// The Devices page: this computer and the paired devices; for the selected one, "Test connection", a deploy of a
// preset (or of the same preset with random weights, side by side), the live view — latency over time, a histogram,
// p50/p90/p99, FPS and, on a Pi, the temperature — and the history of every deployment to compare.
import { useCallback, useEffect, useRef, useState } from 'react'
import { type Deployment, type DeployPhase, type Device, type DeviceInfo, type LatencySample, PI_PRESET } from '../../../../shared/api'
import { latencyStats } from '../../../../shared/latency'
import { useStudio, useStudioEvents } from '../../api/context'
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
  const [history, setHistory] = useState<Deployment[]>([])
  const [live, setLive] = useState<Live | null>(null)
  const [comparing, setComparing] = useState(false)
  // Deployments that have finished, and who waits for one to finish (the comparison runs them one after the other).
  const finishedIds = useRef(new Set<number>())
  const waiters = useRef(new Map<number, () => void>())

  const loadHistory = useCallback(async () => {
    setHistory(await studio.request('deploy.history', { device: device.name, limit: 50 }))
  }, [studio, device.name])
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

  const start = async (randomWeights: boolean): Promise<number | null> => {
    setProblem(null)
    try {
      const n = Number(iterations)
      const model = preset === FOLDER ? { modelDir } : { preset }
      return (await studio.request('deploy.start', { device: device.name, ...model, iterations: n, randomWeights })).deploymentId
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
  // "Compare": the model as it is (a preset's seeded weights, or a folder's trained ones), then the same architecture
  // with fresh random weights, one after the other.
  const compare = async () => {
    setComparing(true)
    try {
      const first = await start(false)
      if (first === null) return
      await finished(first)
      const second = await start(true)
      if (second !== null) await finished(second)
    } finally {
      setComparing(false)
    }
  }
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
          onClick={() => void compare()}
          title="The model's weights, then the same layers with random weights"
          data-testid="deploy-compare"
        >
          Compare with random weights
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
