// The Devices page: this computer and the paired devices; for the selected one, "Test connection", a deploy of a
// trained run — a detector or a whole-image classifier, timed alike (its best checkpoint, flagged when weak) — or a preset on a runtime (ONNX Runtime or TF.js wasm) and
// precision — or two deploys side by side: random weights, runtimes, precisions, with their difference on a card — the
// live view — latency over time, a histogram, p50/p90/p99, FPS and, on a Pi, the temperature — and the history of every
// deployment to compare, a comparison's two rows together.
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
  type Run,
} from '../../../../shared/api'
import { latencyStats } from '../../../../shared/latency'
import { bestScore, runVerdict } from '../../../../shared/run-quality'
import { useStudio, useStudioEvents } from '../../api/context'
import { useExternalChanges } from '../../state/useExternalChanges'
import { errorMessage } from '../../state/errors'
import { devicesModelOf } from '../../state/usePage'
import '../../styles/devices.css'
import { type Comparison, compareDeployments, deploymentModelLabel, formatDifference, groupHistory } from './comparison'
import { Histogram, LatencyChart } from './LatencyChart'
import { PairForm } from './PairForm'
import { DeployThreshold } from './DeployThreshold'
import { Int8Cost } from './Int8Cost'
import { runOption } from './runOption'

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
/** The model select's entries for trained runs: `run:ID`. */
const RUN = 'run:'

/** What int8 is, a detector's and a whole-image classifier's alike. */
const INT8_TITLE =
  "int8: the model quantized on the project's train photos (its export's, when it has one); what it costs on val — a " +
  "detector's AP50, a classifier's accuracy — is shown by the Train page's Export with int8"

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
  /** Which of the presets are whole-image classifiers (the Train page's preset list says each one's task). */
  const [classifierPresets, setClassifierPresets] = useState<string[]>([])
  // The project's runs that have a checkpoint to deploy, newest first.
  const [runs, setRuns] = useState<Run[]>([])
  // A run (RUN + id), a preset, or (FOLDER) a TF.js layers model folder — a trained model, to compare with its
  // architecture re-initialised. The Train page's "Deploy…" opens this page at `#devices?model=PATH`: that folder is
  // chosen (the studio records the run whose checkpoint it is).
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
  // The last comparison's result, shown on a card until the next one (history keeps every one).
  const [comparison, setComparison] = useState<Comparison | null>(null)
  // A deploy of a weak run waits for the user to confirm it; a run confirmed once is not asked about again.
  const [confirming, setConfirming] = useState<{ run: Run; go: () => void } | null>(null)
  const confirmedRuns = useRef(new Set<number>())
  // Deployments that have finished, and who waits for one to finish (the comparison runs them one after the other).
  const finishedIds = useRef(new Set<number>())
  const waiters = useRef(new Map<number, () => void>())

  const loadHistory = useCallback(async () => {
    setHistory(await studio.request('deploy.history', { device: device.name, limit: 50 }))
  }, [studio, device.name])
  const loadRuns = useCallback(async () => {
    const all = await studio.request('runs.list', {})
    // Detector and classifier runs alike: the runner times a classifier as it times a detector.
    setRuns(all.filter((r) => r.bestCheckpoint !== null))
  }, [studio])
  // A `kindling deploy` or `kindling train` in a terminal adds to the history or the runs.
  useExternalChanges(() => {
    void loadHistory()
    void loadRuns().catch(() => setRuns([]))
  })
  useEffect(() => {
    void studio.request('deploy.presets', {}).then(setPresets)
    void studio
      .request('train.presets', {})
      .then((all) => setClassifierPresets(all.filter((p) => p.task === 'classify').map((p) => p.name)))
      .catch(() => setClassifierPresets([]))
    void loadRuns().catch(() => setRuns([]))
    void loadHistory()
  }, [studio, loadHistory, loadRuns])
  // Until the user picks a model, the newest trained run is the one to deploy: what a user who has just trained wants.
  const picked = useRef(askedModel !== null)
  useEffect(() => {
    if (!picked.current && runs.length > 0) setPreset(`${RUN}${runs[0].id}`)
  }, [runs])

  useStudioEvents((e) => {
    // A run that gains a better checkpoint, or ends, changes what the model choice offers.
    if (e.event === 'run.changed' && e.payload.state !== 'running') void loadRuns()
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

  // A run chosen by name, or the folder of a run's best checkpoint (the Train page's "Deploy…" hands one over): either
  // way the run's verdict shows, and the deployment is the run's.
  const chosenRun = preset.startsWith(RUN)
    ? runs.find((r) => `${RUN}${r.id}` === preset)
    : preset === FOLDER
      ? runs.find((r) => r.bestCheckpoint === modelDir.trim())
      : undefined
  const verdict = chosenRun ? runVerdict(bestScore(chosenRun), chosenRun.task) : null
  const chosen: RunOn = { runtime, precision, ...(threads.trim() ? { threads: Number(threads) } : {}) }
  const start = async (randomWeights: boolean, on: RunOn = chosen, compareWith?: number): Promise<number | null> => {
    setProblem(null)
    try {
      const n = Number(iterations)
      const model = preset === FOLDER ? { modelDir } : chosenRun ? { runId: chosenRun.id } : { preset }
      const params = { device: device.name, ...model, iterations: n, randomWeights, ...on, ...(compareWith ? { compareWith } : {}) }
      return (await studio.request('deploy.start', params)).deploymentId
    } catch (e) {
      setProblem(errorMessage(e))
      return null
    }
  }
  // Deploying a weak run is allowed (its latency is what it is) but never by accident: say what its score means first.
  const guarded = (go: () => void) => () => {
    if (chosenRun && verdict?.quality === 'weak' && !confirmedRuns.current.has(chosenRun.id)) setConfirming({ run: chosenRun, go })
    else go()
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
    setComparison(null)
    try {
      const a = await start(...first)
      if (a === null) return
      await finished(a)
      const b = await start(...second, a)
      if (b === null) return
      await finished(b)
      const [one, two] = await Promise.all([a, b].map((id) => studio.request('deploy.samples', { deploymentId: id })))
      setComparison(compareDeployments(one.deployment, two.deployment))
    } catch (e) {
      setProblem(errorMessage(e))
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
          <select
            value={preset}
            onChange={(e) => {
              picked.current = true
              setPreset(e.target.value)
            }}
            data-testid="deploy-preset"
          >
            {runs.length > 0 && (
              <optgroup label="Trained runs (best checkpoint)">
                {runs.map((r) => (
                  <option key={r.id} value={`${RUN}${r.id}`}>
                    {runOption(r)}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label="Presets (random weights)">
              {(presets.length ? presets : [preset])
                .filter((p) => p !== FOLDER && !p.startsWith(RUN) && !classifierPresets.includes(p))
                .map((p) => (
                  <option key={p}>{p}</option>
                ))}
            </optgroup>
            {classifierPresets.length > 0 && (
              <optgroup label="Whole-image classifier presets (random weights)">
                {classifierPresets.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </optgroup>
            )}
            <optgroup label="Other">
              <option value={FOLDER}>A model folder…</option>
            </optgroup>
          </select>
        </label>
        {verdict && (
          <span className={`run-verdict is-${verdict.quality}`} title={verdict.explanation} data-testid="deploy-run-verdict">
            {verdict.label}
          </span>
        )}
        {chosenRun?.task === 'detect' && <DeployThreshold run={chosenRun} />}
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
            title={INT8_TITLE}
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
        <label title="How many times the model runs on the device; the numbers are over these">
          Inferences
          <input
            value={iterations}
            onChange={(e) => setIterations(e.target.value)}
            inputMode="numeric"
            size={5}
            data-testid="deploy-iterations"
          />
        </label>
        <button className="button is-primary" disabled={running} onClick={guarded(() => void start(false))} data-testid="deploy-start">
          Deploy and benchmark
        </button>
        <button
          className="button"
          disabled={running}
          onClick={guarded(() => void compareRandom())}
          title="The model's weights, then the same layers with random weights"
          data-testid="deploy-compare"
        >
          Compare with random weights
        </button>
        <button
          className="button"
          disabled={running}
          onClick={guarded(() => void compareRuntimes())}
          title="The model on ONNX Runtime, then on TF.js wasm"
          data-testid="deploy-compare-runtimes"
        >
          Compare runtimes
        </button>
        <button
          className="button"
          disabled={running}
          onClick={guarded(() => void comparePrecisions())}
          title="The model at fp32, then at int8 (its int8 export), on ONNX Runtime: a detector or a classifier"
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

      {verdict && chosenRun && (
        <p className={`run-verdict-explanation is-${verdict.quality}`} data-testid="deploy-run-explanation">
          {chosenRun.name}: {verdict.explanation}
        </p>
      )}
      {chosenRun && precision === 'int8' && runtime !== 'tfjs' && <Int8Cost run={chosenRun} />}
      {confirming && (
        <div className="deploy-confirm" role="alertdialog" aria-label="Deploy a weak run?" data-testid="deploy-confirm">
          <p>
            <strong>{confirming.run.name} is a weak run.</strong> {runVerdict(bestScore(confirming.run), confirming.run.task).explanation} Its
            speed on the device is measured all the same. Deploy it anyway?
          </p>
          <div className="deploy-confirm-actions">
            <button
              className="button is-primary"
              onClick={() => {
                confirmedRuns.current.add(confirming.run.id)
                setConfirming(null)
                confirming.go()
              }}
              data-testid="deploy-confirm-yes"
            >
              Deploy anyway
            </button>
            <button className="button" onClick={() => setConfirming(null)} data-testid="deploy-confirm-no">
              Cancel
            </button>
          </div>
        </div>
      )}
      {comparison && <ComparisonCard comparison={comparison} onClose={() => setComparison(null)} />}

      {live && (
        <div className="live" data-testid="live">
          <p className="live-status" data-testid="live-status">
            {deploymentModelLabel(live.deployment)}
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
        {groupHistory(history).map(({ comparison: found, rows }) => (
          <tbody key={rows[0].id} className={rows.length > 1 ? 'history-comparison' : undefined}>
            {rows.length > 1 && (
              <tr className="history-comparison-result" data-testid="history-comparison">
                <td colSpan={10}>{found ? `${found.verdict} · difference ${formatDifference(found)}` : 'Comparison running…'}</td>
              </tr>
            )}
            {rows.map((d) => (
              <tr
                key={d.id}
                onClick={() => void show(d.id)}
                className={`history-row${live?.deployment.id === d.id ? ' is-active' : ''}`}
                title={d.message ?? (d.run ? d.model : undefined)}
                data-testid="history-row"
              >
                <td>{new Date(d.startedAt).toLocaleString()}</td>
                <td>
                  {deploymentModelLabel(d)}
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
        ))}
      </table>
    </div>
  )
}

/** Both sides of a comparison with their p50 and p90, the difference, and which is faster. */
function ComparisonCard({ comparison: c, onClose }: { comparison: Comparison; onClose(): void }) {
  const side = (s: Comparison['first'], which: 'first' | 'second') => (
    <tr className={c.faster === which ? 'is-faster' : undefined}>
      <th scope="row">
        {s.label}
        {c.faster === which ? ' (faster)' : ''}
      </th>
      <td>{ms(s.p50Ms)}</td>
      <td>{ms(s.p90Ms)}</td>
      <td className="muted">{s.deployment.state}</td>
    </tr>
  )
  return (
    <section className="comparison-card" aria-label="Comparison" data-testid="comparison-card">
      <header>
        <h3 data-testid="comparison-verdict">{c.verdict}</h3>
        <button className="button is-small" onClick={onClose} aria-label="Close the comparison">
          ×
        </button>
      </header>
      {c.caveat && (
        <p className="muted" data-testid="comparison-caveat">
          {c.caveat}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th />
            <th>p50</th>
            <th>p90</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {side(c.first, 'first')}
          {side(c.second, 'second')}
          <tr className="comparison-difference">
            <th scope="row">Difference</th>
            <td colSpan={3} data-testid="comparison-difference">
              {formatDifference(c)}
            </td>
          </tr>
        </tbody>
      </table>
    </section>
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
