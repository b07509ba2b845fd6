import { useState } from 'react'
import type { ProjectInfo } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { PathField } from '../../components/PathField'
import { messageForField, messageForForm } from '../../state/errors'
import { folderName } from '../../state/projectSwitch'
import { useSubmit } from '../../state/useSubmit'

export interface CreateDemoCardProps {
  defaultDir: string
  onOpened(p: ProjectInfo): void
  /** Asked before creating, with the folder's name: false leaves things as they are (the project menu's job warning). */
  beforeOpen?: (name: string) => Promise<boolean>
  /** Shown inside a dialog that has its own title: no card frame or heading. */
  inDialog?: boolean
}

export function CreateDemoCard({ defaultDir, onOpened, beforeOpen, inDialog }: CreateDemoCardProps) {
  const studio = useStudio()
  const [dir, setDir] = useState(defaultDir)
  const { busy, error, submit, clearError } = useSubmit(
    async () => ((await beforeOpen?.(folderName(dir))) === false ? null : studio.request('project.demo', { dir: dir.trim() })),
    (opened) => {
      if (opened) onOpened(opened)
    },
  )
  const formError = messageForForm(error, ['params.dir'])

  return (
    <form
      className={inDialog ? 'welcome-card is-in-dialog' : 'card welcome-card'}
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      {!inDialog && <h2>Try the demo</h2>}
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
