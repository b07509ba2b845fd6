// A run's verdict in plain words (src/shared/run-quality.ts): a badge in the run list and the run's details, with the
// explanation beside the scores, and what they mean: AP50, AP and recall for a detector, accuracy, precision, recall and
// the confusion matrix for a classifier.
import type { Run } from '../../../../shared/api'
import { bestScore, CLASSIFIER_TERMS, runVerdict, SCORE_TERMS } from '../../../../shared/run-quality'

/** "Weak", "Usable", "Good" or "Not scored", coloured by how far to trust the run; its explanation as the tooltip. */
export function RunQualityBadge({ run, testId = `run-quality-${run.id}` }: { run: Run; testId?: string }) {
  const verdict = runVerdict(bestScore(run), run.task)
  return (
    <span className={`run-quality is-${verdict.quality}`} title={verdict.explanation} data-testid={testId}>
      {verdict.label}
    </span>
  )
}

/** The verdict's explanation and, in a disclosure, what the run's three scores mean. */
export function RunQualityExplanation({ run }: { run: Run }) {
  const verdict = runVerdict(bestScore(run), run.task)
  return (
    <div className={`run-quality-explanation is-${verdict.quality}`} data-testid="run-quality-explanation">
      <p>
        <RunQualityBadge run={run} testId="run-detail-quality" /> {verdict.explanation}
      </p>
      {run.task === 'classify' ? (
        <details className="run-score-terms">
          <summary>What do accuracy, precision, recall and the confusion matrix mean?</summary>
          <ul data-testid="run-score-terms">
            {Object.values(CLASSIFIER_TERMS).map((words) => (
              <li key={words}>{words}</li>
            ))}
          </ul>
        </details>
      ) : (
        <details className="run-score-terms">
          <summary>What do AP50, AP and recall mean?</summary>
          <ul data-testid="run-score-terms">
            <li>{SCORE_TERMS.ap50}</li>
            <li>{SCORE_TERMS.ap}</li>
            <li>{SCORE_TERMS.recall}</li>
          </ul>
        </details>
      )}
    </div>
  )
}
