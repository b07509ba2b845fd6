// Start kindling: which teacher (single or ensemble), the score a face must reach, smiles or not, and which photos —
// only those no teacher has labelled yet, every photo no person has reviewed, or the photos selected in the grid.
// Under Options, the multi-scale passes (zoom-out, tiles; docs/multiscale.md) and redo. Sends `kindle.start`.
import { useId, useState } from 'react'
import { MAX_KINDLE_IMAGE_IDS } from '../../../../shared/api'
import { TEACHER_CHOICES } from '../../../../shared/teachers'
import { useStudio } from '../../api/context'
import { Icon } from '../../components/Icon'
import { formatCount } from '../../format'
import { messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

type Scope = 'new' | 'unreviewed' | 'selected'

type Tiles = 'auto' | 'off' | 2 | 3

// What each option does, as job.ts and docs/multiscale.md have it, for the tooltips.
const ZOOM_OUT_HINT =
  'Also kindle the photo padded by half its size on every side, where the plain pass found no face or a face at ' +
  'least 0.4 of the shorter side: teachers miss faces that fill the photo'
const TILES_HINT =
  'Also kindle overlapping tiles, for small faces in big photos. auto: a 2×2 grid, only on photos whose longer side ' +
  "is at least 2.5× the teacher's input; 2×2 or 3×3: on every photo (slower, and less precise on small photos)"
const REDO_HINT =
  'Photos this teacher already kindled with these same settings are skipped (that is how a stopped job resumes); ' +
  'tick to kindle them again, replacing only this teacher’s boxes on them. Changing a setting kindles again anyway. ' +
  'Photos a person reviewed, and boxes a person drew or corrected, are never touched.'
const REDO_NEW_HINT = 'New photos have not been kindled yet: there is nothing to redo'

const TILES: { value: Tiles; label: string }[] = [
  { value: 'auto', label: 'auto' },
  { value: 'off', label: 'off' },
  { value: 2, label: '2×2' },
  { value: 3, label: '3×3' },
]

export interface KindlePanelProps {
  /** A job is running (import, kindling or training): one at a time keeps the store's writer and the progress readable. */
  busy: boolean
  /** Photos in the project: with none there is nothing to kindle. */
  photos: number
  /** The photos selected in the grid. */
  selected: ReadonlySet<number>
  /** A Shift+click or Ctrl+A is still fetching the ids it covers: `selected` is about to change. */
  selecting: boolean
  onStarted(jobId: string): void
}

export function KindlePanel({ busy, photos, selected, selecting, onStarted }: KindlePanelProps) {
  const studio = useStudio()
  const id = useId()
  const [teacher, setTeacher] = useState(TEACHER_CHOICES[0].value)
  const [minScore, setMinScore] = useState('0.5')
  const [smile, setSmile] = useState(false)
  const [chosenScope, setScope] = useState<Scope>('new')
  const [showOptions, setShowOptions] = useState(false)
  const [zoomOut, setZoomOut] = useState(true)
  const [tiles, setTiles] = useState<Tiles>('auto')
  const [redo, setRedo] = useState(false)
  const score = Number(minScore)
  const scoreValid = minScore.trim() !== '' && score >= 0 && score <= 1
  const selectedCount = selected.size
  const tooMany = selectedCount > MAX_KINDLE_IMAGE_IDS
  const canKindleSelection = selectedCount > 0 && !tooMany
  // "Selected photos" with the selection gone (cleared, or another list shown) falls back to what the select shows.
  const scope = chosenScope === 'selected' && !canKindleSelection ? 'new' : chosenScope
  // Sent now, a selection still being fetched would kindle the photos selected before the last Shift+click.
  const waitForSelection = scope === 'selected' && selecting
  const {
    busy: starting,
    error,
    submit,
    clearError,
  } = useSubmit(
    () =>
      studio.request('kindle.start', {
        teacher,
        minScore: score,
        smile,
        zoomOut,
        tiles,
        // Only photos kindled before can be redone: "new" ones have not been.
        redo: redo && scope !== 'new',
        ...(scope === 'selected' ? { imageIds: [...selected] } : { scope }),
      }),
    ({ jobId }) => onStarted(jobId),
  )
  const optionsId = `${id}-options`
  const formError = messageForForm(error, [])

  return (
    <form
      className="kindle-panel"
      aria-label="Kindle"
      onSubmit={(e) => {
        e.preventDefault()
        if (scoreValid && !waitForSelection) void submit()
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
        <option
          value="selected"
          disabled={!canKindleSelection}
          title={tooMany ? `At most ${formatCount(MAX_KINDLE_IMAGE_IDS)} photos at once` : undefined}
        >
          Selected photos ({formatCount(selectedCount)})
        </option>
      </select>
      <button
        type="button"
        className="link-button"
        aria-expanded={showOptions}
        aria-controls={optionsId}
        onClick={() => setShowOptions((shown) => !shown)}
        data-testid="kindle-options-toggle"
      >
        Options
        <span className="disclosure" aria-hidden="true">
          <Icon name="chevron" size={12} />
        </span>
      </button>
      <span className="spacer" />
      <button
        type="submit"
        className="button is-primary"
        disabled={busy || starting || !scoreValid || photos === 0 || waitForSelection}
        title={busy ? 'A job is running' : photos === 0 ? 'Import photos first' : waitForSelection ? 'Selecting…' : undefined}
        data-testid="kindle-button"
      >
        {starting ? 'Starting…' : 'Kindle'}
      </button>
      {showOptions && (
        <div id={optionsId} className="kindle-options" role="group" aria-label="Kindling options">
          <label className="kindle-check" title={ZOOM_OUT_HINT}>
            <input type="checkbox" checked={zoomOut} onChange={(e) => setZoomOut(e.target.checked)} data-testid="kindle-zoom-out" />
            zoom-out
          </label>
          <label htmlFor={`${id}-tiles`} className="muted" title={TILES_HINT}>
            tiles
          </label>
          <select
            id={`${id}-tiles`}
            className="select"
            value={String(tiles)}
            onChange={(e) => setTiles(TILES.find((t) => String(t.value) === e.target.value)?.value ?? 'auto')}
            data-testid="kindle-tiles"
          >
            {TILES.map((t) => (
              <option key={t.value} value={String(t.value)}>
                {t.label}
              </option>
            ))}
          </select>
          <label className="kindle-check" title={scope === 'new' ? REDO_NEW_HINT : REDO_HINT}>
            <input
              type="checkbox"
              checked={redo && scope !== 'new'}
              disabled={scope === 'new'}
              onChange={(e) => setRedo(e.target.checked)}
              data-testid="kindle-redo"
            />
            Redo photos this teacher already kindled
          </label>
        </div>
      )}
      {(formError || !scoreValid) && (
        <p className="field-error kindle-error" role="alert">
          {scoreValid ? formError : 'The min score is a number from 0 to 1'}
        </p>
      )}
    </form>
  )
}
