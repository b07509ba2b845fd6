// The threshold picker: a slider (and a box to type the exact score), what the model does there — precision, recall,
// F1, false alarms, misses — counted in the page as the slider moves, the F1-best threshold one click away, and
// "Use for deploy", which stores the threshold on the run for predict, export and deploy.
import { useEffect, useState } from 'react'
import { formatCount } from '../../format'
import { type AtThreshold, scoreText } from './threshold'

export interface ThresholdPanelProps {
  threshold: number
  onThreshold(threshold: number): void
  at: AtThreshold
  best: AtThreshold | null
  /** The run's stored deploy threshold (null: the preset's). */
  runThreshold: number | null
  saving: boolean
  saveError: string | null
  onUseForDeploy(threshold: number | null): void
}

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`)

export function ThresholdPanel(props: ThresholdPanelProps) {
  const { threshold, onThreshold, at, best, runThreshold, saving, saveError, onUseForDeploy } = props
  // The typed text is the user's until it is a valid score; the slider and the curve write their value into it.
  const [typed, setTyped] = useState(scoreText(threshold))
  const [typedError, setTypedError] = useState<string | null>(null)
  useEffect(() => {
    setTyped(scoreText(threshold))
    setTypedError(null)
  }, [threshold])
  const type = (text: string) => {
    setTyped(text)
    const v = Number(text)
    if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || v >= 1) {
      setTypedError('A score threshold is a number between 0 and 1, such as 0.45')
      return
    }
    setTypedError(null)
    onThreshold(v)
  }
  const isSaved = runThreshold !== null && Math.abs(runThreshold - threshold) < 5e-5
  const isBest = best !== null && Math.abs(best.threshold - threshold) < 5e-5

  return (
    <section className="eval-threshold" aria-label="Threshold" data-testid="eval-threshold-panel">
      <div className="eval-threshold-pick">
        <label htmlFor="eval-threshold-slider" className="eval-threshold-label">
          Score threshold
        </label>
        <input
          id="eval-threshold-slider"
          type="range"
          min={0.01}
          max={0.99}
          step={0.01}
          value={Math.min(0.99, Math.max(0.01, threshold))}
          onChange={(e) => onThreshold(Number(e.target.value))}
          aria-valuetext={scoreText(threshold)}
          data-testid="eval-threshold"
        />
        <input
          className="input eval-threshold-value"
          value={typed}
          onChange={(e) => type(e.target.value)}
          inputMode="decimal"
          aria-label="Score threshold, typed"
          aria-invalid={typedError !== null}
          aria-describedby={typedError ? 'eval-threshold-error' : undefined}
          data-testid="eval-threshold-value"
        />
      </div>
      {typedError && (
        <p id="eval-threshold-error" className="form-error" role="alert">
          {typedError}
        </p>
      )}
      <dl className="eval-metrics" aria-live="polite">
        <div>
          <dt>Precision</dt>
          <dd data-testid="eval-precision">{percent(at.precision)}</dd>
        </div>
        <div>
          <dt>Recall</dt>
          <dd data-testid="eval-recall">{percent(at.recall)}</dd>
        </div>
        <div>
          <dt>F1</dt>
          <dd data-testid="eval-f1">{at.f1 === null ? '–' : at.f1.toFixed(3)}</dd>
        </div>
        <div>
          <dt>False alarms</dt>
          <dd data-testid="eval-false-alarms">{formatCount(at.falseAlarms)}</dd>
        </div>
        <div>
          <dt>Misses</dt>
          <dd data-testid="eval-misses">{formatCount(at.misses)}</dd>
        </div>
      </dl>
      <div className="eval-threshold-actions">
        {best ? (
          <button
            type="button"
            className="button"
            onClick={() => onThreshold(best.threshold)}
            disabled={isBest}
            title="Move the threshold to where F1 (the balance of precision and recall) is highest"
            data-testid="eval-use-best"
          >
            Best F1 {best.f1?.toFixed(3)} at {scoreText(best.threshold)}
          </button>
        ) : (
          <span className="muted">No threshold finds anything: the model has no hit on this split.</span>
        )}
        <button
          type="button"
          className="button is-primary"
          onClick={() => onUseForDeploy(threshold)}
          disabled={saving || isSaved}
          title="Store this threshold on the run: predicting, exporting and deploying it use it unless told otherwise"
          data-testid="eval-use-for-deploy"
        >
          {saving ? 'Saving…' : isSaved ? 'Used for deploy' : 'Use for deploy'}
        </button>
      </div>
      <p className="muted eval-run-threshold" data-testid="eval-run-threshold">
        {runThreshold === null ? (
          "The run deploys with its preset's threshold."
        ) : (
          <>
            The run deploys with threshold <strong className="mono">{scoreText(runThreshold)}</strong>, set here.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => onUseForDeploy(null)}
              disabled={saving}
              data-testid="eval-clear-threshold"
            >
              Back to the preset's
            </button>
          </>
        )}
      </p>
      {saveError && (
        <p className="form-error" role="alert" data-testid="eval-threshold-save-error">
          Could not store the threshold: {saveError}
        </p>
      )}
    </section>
  )
}
