import { useState } from 'react'
import type { ProjectInfo } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { PathField } from '../../components/PathField'
import { messageForField, messageForForm } from '../../state/errors'
import { folderName } from '../../state/projectSwitch'
import { useSubmit } from '../../state/useSubmit'

export interface OpenProjectCardProps {
  onOpened(p: ProjectInfo): void
  /** Asked before opening, with the folder's name: false leaves things as they are (the project menu's job warning). */
  beforeOpen?: (name: string) => Promise<boolean>
  /** Shown inside a dialog that has its own title: no card frame or heading. */
  inDialog?: boolean
}

export function OpenProjectCard({ onOpened, beforeOpen, inDialog }: OpenProjectCardProps) {
  const studio = useStudio()
  const [dir, setDir] = useState('')
  const { busy, error, submit, clearError } = useSubmit(
    async () => ((await beforeOpen?.(folderName(dir))) === false ? null : studio.request('project.open', { dir: dir.trim(), create: true })),
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
      {!inDialog && <h2>Open a project folder</h2>}
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
