import { useState } from 'react'
import type { ProjectInfo } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { PathField } from '../../components/PathField'
import { messageForField, messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

export function CreateDemoCard({ defaultDir, onOpened }: { defaultDir: string; onOpened(p: ProjectInfo): void }) {
  const studio = useStudio()
  const [dir, setDir] = useState(defaultDir)
  const { busy, error, submit, clearError } = useSubmit(() => studio.request('project.demo', { dir: dir.trim() }), onOpened)
  const formError = messageForForm(error, ['params.dir'])

  return (
    <form
      className="card welcome-card"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <h2>Try the demo</h2>
      <p className="muted">A small project made from the sample group photos that ship with the teacher models. Nothing to download.</p>
      <PathField
        label="Create it in"
        value={dir}
        onChange={(value) => {
          setDir(value)
          clearError()
        }}
        error={messageForField(error, 'params.dir')}
        disabled={busy}
      />
      {formError && <p className="field-error">{formError}</p>}
      <div className="card-actions">
        <button className="button is-primary" type="submit" disabled={busy || !dir.trim()} data-testid="create-demo">
          {busy ? 'Creating…' : 'Create demo project'}
        </button>
      </div>
    </form>
  )
}
