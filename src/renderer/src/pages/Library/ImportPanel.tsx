// Start an import: a folder path (typed, or picked where there is a picker) and a button.
import { useState } from 'react'
import { useStudio } from '../../api/context'
import { Icon } from '../../components/Icon'
import { PathField } from '../../components/PathField'
import { messageForField, messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

export interface ImportPanelProps {
  /** A job is running (import, kindling or training): one at a time keeps the progress readable. */
  busy: boolean
  onStarted(jobId: string): void
}

export function ImportPanel({ busy, onStarted }: ImportPanelProps) {
  const studio = useStudio()
  const [dir, setDir] = useState('')
  const {
    busy: starting,
    error,
    submit,
    clearError,
  } = useSubmit(
    () => studio.request('import.start', { dir: dir.trim() }),
    ({ jobId }) => onStarted(jobId),
  )

  return (
    <form
      className="import-panel"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <PathField
        inline
        label="Import photos from"
        value={dir}
        onChange={(value) => {
          setDir(value)
          clearError()
        }}
        placeholder="Folder of photos (searched recursively)"
        error={messageForField(error, 'params.dir') ?? messageForForm(error, ['params.dir'])}
        testId="import-path"
      />
      <button
        type="submit"
        className="button is-primary"
        disabled={busy || starting || !dir.trim()}
        title={busy ? 'A job is running' : undefined}
        data-testid="import-button"
      >
        <Icon name="import" />
        {starting ? 'Starting…' : 'Import'}
      </button>
    </form>
  )
}
