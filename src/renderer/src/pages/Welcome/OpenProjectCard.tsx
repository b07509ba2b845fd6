import { useState } from 'react'
import type { ProjectInfo } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { PathField } from '../../components/PathField'
import { messageForField, messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

export function OpenProjectCard({ onOpened }: { onOpened(p: ProjectInfo): void }) {
  const studio = useStudio()
  const [dir, setDir] = useState('')
  const { busy, error, submit, clearError } = useSubmit(() => studio.request('project.open', { dir: dir.trim(), create: true }), onOpened)
  const formError = messageForForm(error, ['params.dir'])

  return (
    <form
      className="card welcome-card"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <h2>Open a project folder</h2>
      <p className="muted">A folder that holds a project opens as it was left; an empty or new folder becomes a new project.</p>
      <PathField
        label="Project folder"
        value={dir}
        onChange={(value) => {
          setDir(value)
          clearError()
        }}
        placeholder="/home/you/Kindling/Garden camera"
        error={messageForField(error, 'params.dir')}
        disabled={busy}
        testId="open-path"
      />
      {formError && <p className="field-error">{formError}</p>}
      <div className="card-actions">
        <button className="button" type="submit" disabled={busy || !dir.trim()} data-testid="open-project">
          {busy ? 'Opening…' : 'Open project'}
        </button>
      </div>
    </form>
  )
}
