// The Compare page: the project's finished runs side by side, and accuracy against latency on a chosen device — how a
// user picks the model for their Pi. The latencies are the deployments already stored (nothing is measured here); a
// run never deployed to the device is listed with the way to measure it. A click on a row or a point opens the run.
import { useState } from 'react'
import { parseHash } from '../../state/usePage'
import { CompareChart } from './CompareChart'
import { CompareTable } from './CompareTable'
import { deviceLabel, nextSort, placeable, sortRows, type Sort } from './compareTable'
import './compare.css'
import { useComparison } from './useComparison'

/** The device a `#compare?device=NAME` hash names (a reload keeps the choice), or null for the default. */
function deviceInHash(): string | null {
  return parseHash(location.hash).params.get('device')?.trim() || null
}

const openRun = (runId: number) => {
  location.hash = `#train?run=${runId}`
}

export function ComparePage() {
  const [device, setDevice] = useState<string | null>(deviceInHash)
  const [sort, setSort] = useState<Sort>({ key: 'ap50', direction: 'desc' })
  const { comparison, error } = useComparison(device)

  const choose = (name: string | null) => {
    setDevice(name)
    // Not a navigation: only so that a reload shows the same device.
    history.replaceState(null, '', name === null ? '#compare' : `#compare?${new URLSearchParams({ device: name })}`)
  }

  if (!comparison) {
    return (
      <div className="compare" data-testid="compare-page">
        <h2>Compare runs</h2>
        {error ? (
          <div className="compare-empty">
            <p className="form-error" data-testid="compare-error">
              Could not compare the runs: {error}
            </p>
            {device !== null && (
              <button type="button" className="button" onClick={() => choose(null)}>
                Show This computer instead
              </button>
            )}
          </div>
        ) : (
          <p className="muted">Loading runs…</p>
        )}
      </div>
    )
  }

  const { rows, devices } = comparison
  const here = comparison.device
  const label = deviceLabel(here)
  const charted = rows.filter(placeable)
  const detectors = rows.filter((r) => r.task === 'detect')
  const classifiers = rows.length - detectors.length
  const measured = rows.filter((r) => r.latency !== null).length
  const deployedAnywhere = devices.some((d) => d.measuredRuns > 0)
  const front = sortRows(
    rows.filter((r) => r.onFront && r.task === 'detect'),
    { key: 'p50', direction: 'asc' },
  )

  return (
    <div className="compare" data-testid="compare-page">
      <header className="compare-head">
        <div>
          <h2>Compare runs</h2>
          <p className="muted">
            Accuracy on val against the time a frame takes on a device, from the deployments stored. The front is the runs no other run beats on
            both: pick among those.
          </p>
        </div>
        <label className="field is-inline compare-device">
          <span className="field-label">Latency on</span>
          <select className="select" value={here.name} onChange={(e) => choose(e.target.value)} data-testid="compare-device">
            {devices.map((d) => (
              <option key={d.name} value={d.name}>
                {deviceLabel(d)} ({d.measuredRuns} {d.measuredRuns === 1 ? 'run' : 'runs'} measured)
              </option>
            ))}
          </select>
        </label>
      </header>

      {rows.length === 0 ? (
        <div className="compare-empty" data-testid="compare-empty">
          <h3>No finished runs yet</h3>
          <p className="muted">
            Train a run on the <a href="#train">Train page</a>: once it finishes (or is stopped after its first evaluation) it appears here with
            its scores, size and cost, ready to deploy and compare.
          </p>
        </div>
      ) : (
        <>
          <section className="compare-chart-section" aria-label="Accuracy against latency">
            {!deployedAnywhere ? (
              <div className="compare-empty" data-testid="compare-no-deployments">
                <h3>No run deployed yet</h3>
                <p className="muted">
                  The chart needs each run’s speed on a device. Open <a href="#devices">Devices</a>, pick a trained run and “Deploy and
                  benchmark” it — on This computer it needs no device — then come back: the run appears here as a point.
                </p>
              </div>
            ) : charted.length === 0 ? (
              <div className="compare-empty" data-testid="compare-none-here">
                <h3>No detector run measured on {label}</h3>
                <p className="muted">
                  Deploy a run to {label} from <a href="#devices">Devices</a>, or choose a device above where runs were measured.
                </p>
              </div>
            ) : (
              <>
                <CompareChart rows={charted} deviceLabel={label} onOpen={openRun} />
                <p className="compare-caption muted" data-testid="compare-summary">
                  {measured} of {rows.length} runs measured on {label}.{' '}
                  {front.length > 0 && (
                    <>
                      The front, fastest first: <span data-testid="compare-front">{front.map((r) => r.name).join(' → ')}</span>.
                    </>
                  )}
                  {classifiers > 0 &&
                    ` ${classifiers === 1 ? 'A classifier run is' : `${classifiers} classifier runs are`} in the table by accuracy and kept off the chart, whose height is AP50.`}
                </p>
              </>
            )}
          </section>
          <section className="compare-table-section" aria-label="Runs">
            <CompareTable
              rows={sortRows(rows, sort)}
              sort={sort}
              onSort={(key) => setSort((s) => nextSort(s, key))}
              device={here}
              onOpen={openRun}
            />
          </section>
        </>
      )}
    </div>
  )
}
