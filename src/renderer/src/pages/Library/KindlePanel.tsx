// Start kindling: which teacher (single or ensemble), the score a face must reach, smiles or not, and which photos —
// only those no teacher has labelled yet, or every photo no person has reviewed. Sends `kindle.start`.
import { useId, useState } from 'react'
import { TEACHER_CHOICES } from '../../../../shared/teachers'
import { useStudio } from '../../api/context'
import { messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

type Scope = 'new' | 'unreviewed'

export interface KindlePanelProps {
  /** A job is running (import or kindling): one at a time keeps the store's writer and the progress readable. */
  busy: boolean
  /** Photos in the project: with none there is nothing to kindle. */
  photos: number
  onStarted(jobId: string): void
}

export function KindlePanel({ busy, photos, onStarted }: KindlePanelProps) {
  const studio = useStudio()
  const id = useId()
  const [teacher, setTeacher] = useState(TEACHER_CHOICES[0].value)
  const [minScore, setMinScore] = useState('0.5')
  const [smile, setSmile] = useState(false)
  const [scope, setScope] = useState<Scope>('new')
  const score = Number(minScore)
  const scoreValid = minScore.trim() !== '' && score >= 0 && score <= 1
  const { busy: starting, error, submit, clearError } = useSubmit(
    () => studio.request('kindle.start', { teacher, minScore: score, smile, scope }),
    ({ jobId }) => onStarted(jobId),
  )
  const formError = messageForForm(error, [])

  return (
    <form
      className="kindle-panel"
      aria-label="Kindle"
      onSubmit={(e) => {
        e.preventDefault()
        if (scoreValid) void submit()
      }}
      onChange={clearError}
    >
      <label htmlFor={`${id}-teacher`} className="kindle-label">
        Kindle labels with
      </label>
      <select id={`${id}-teacher`} className="select" value={teacher} onChange={(e) => setTeacher(e.target.value)} data-testid="kindle-teacher">
        {TEACHER_CHOICES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-score`} className="muted">
        min score
      </label>
      <input
        id={`${id}-score`}
        className="input kindle-score"
        type="number"
        min={0}
        max={1}
        step={0.05}
        value={minScore}
        aria-invalid={!scoreValid}
        onChange={(e) => setMinScore(e.target.value)}
        data-testid="kindle-min-score"
      />
      <label className="kindle-check">
        <input type="checkbox" checked={smile} onChange={(e) => setSmile(e.target.checked)} data-testid="kindle-smile" />
        smiles
      </label>
      <select
        className="select"
        aria-label="Which photos"
        value={scope}
        onChange={(e) => setScope(e.target.value as Scope)}
        data-testid="kindle-scope"
      >
        <option value="new">New photos (not kindled yet)</option>
        <option value="unreviewed">All unreviewed photos</option>
      </select>
      <span className="spacer" />
      <button
        type="submit"
        className="button is-primary"
        disabled={busy || starting || !scoreValid || photos === 0}
        title={busy ? 'A job is running' : photos === 0 ? 'Import photos first' : undefined}
        data-testid="kindle-button"
      >
        {starting ? 'Starting…' : 'Kindle'}
      </button>
      {(formError || !scoreValid) && (
        <p className="field-error kindle-error" role="alert">
          {scoreValid ? formError : 'The min score is a number from 0 to 1'}
        </p>
      )}
    </form>
  )
}
