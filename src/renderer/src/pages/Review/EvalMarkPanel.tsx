// What the Evaluate page sent this photo here for, and the fix it most likely needs, one click each: a false alarm on
// an unlabelled face becomes a label; a missed label moves onto the model's box (or is deleted, Del, when nothing is
// there). Back to Evaluate, the report is matched against the labels again and the photo has left the list.
import type { ClassInfo } from '../../../../shared/api'
import type { EvalMark } from './evalMark'

export interface EvalMarkPanelProps {
  mark: EvalMark
  classes: ClassInfo[]
  /** The missed label, when it is still on the photo. */
  labelPresent: boolean
  onAddLabel(classId: number): void
  onMoveLabel(): void
}

export function EvalMarkPanel({ mark, classes, labelPresent, onAddLabel, onMoveLabel }: EvalMarkPanelProps) {
  const { prediction } = mark
  const cls = classes.find((c) => c.name === prediction?.className) ?? classes[0]
  const score = prediction?.score != null ? ` (score ${prediction.score.toFixed(2)})` : ''
  return (
    <section className="review-eval" aria-label="From the Evaluate page" data-testid="review-eval">
      <h3>{mark.kind === 'false-alarm' ? 'A false alarm' : 'A missed label'}</h3>
      {mark.kind === 'false-alarm' ? (
        <p>
          The model drew the dotted box{score} where no label is. If a {prediction?.className || 'face'} is there, it was never labelled:
        </p>
      ) : (
        <p>
          {labelPresent ? 'The selected label' : 'The label'} is one the model did not find
          {prediction ? `; its nearest box is dotted${score}` : ''}. If the label is off, fix it; if nothing is there, delete it (Del).
        </p>
      )}
      {mark.kind === 'false-alarm' && prediction && cls && (
        <button type="button" className="button is-primary" onClick={() => onAddLabel(cls.id)} data-testid="review-eval-add">
          Add it as a {cls.name} label
        </button>
      )}
      {mark.kind === 'miss' && prediction && labelPresent && (
        <button type="button" className="button" onClick={onMoveLabel} data-testid="review-eval-move">
          Move the label onto the model's box
        </button>
      )}
      <a className="link-button" href="#evaluate" data-testid="review-eval-back">
        ← Back to Evaluate
      </a>
    </section>
  )
}
