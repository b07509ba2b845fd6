// The recent projects on Welcome: a user who closed everything (or whose last project went missing) gets back in one
// click. A missing project stays listed, greyed, until removed: it may be on a drive that is not plugged in.
import { useState } from 'react'
import type { ProjectInfo, RecentProject } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { errorMessage } from '../../state/errors'

export function RecentProjectsCard({ recent, onOpened }: { recent: RecentProject[]; onOpened(p: ProjectInfo): void }) {
  const studio = useStudio()
  const [list, setList] = useState(recent)
  const [busyDir, setBusyDir] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const open = async (entry: RecentProject) => {
    setBusyDir(entry.dir)
    setError(null)
    try {
      onOpened(await studio.request('project.open', { dir: entry.dir }))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusyDir(null)
    }
  }

  const forget = async (entry: RecentProject) => {
    setError(null)
    try {
      setList(await studio.request('project.forget', { dir: entry.dir }))
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <section className="card welcome-card recent-card" aria-labelledby="recent-projects-title" data-testid="welcome-recent-card">
      <h2 id="recent-projects-title">Recent projects</h2>
      {list.length === 0 ? (
        <p className="muted">Projects you open or create appear here, newest first.</p>
      ) : (
        <ul className="recent-list">
          {list.map((entry) => (
            <li
              key={entry.dir}
              className={entry.exists ? 'recent-item' : 'recent-item is-missing'}
              data-testid="welcome-recent"
              data-dir={entry.dir}
            >
              {entry.exists ? (
                <button type="button" className="recent-open" title={entry.dir} disabled={busyDir !== null} onClick={() => void open(entry)}>
                  <span className="recent-name">{busyDir === entry.dir ? `Opening ${entry.name}…` : entry.name}</span>
                  <span className="recent-dir mono">{entry.dir}</span>
                </button>
              ) : (
                <>
                  <span className="recent-open" title={`${entry.dir} is missing: deleted, moved, or on a drive that is not plugged in`}>
                    <span className="recent-name">
                      {entry.name} <span className="recent-missing">Missing</span>
                    </span>
                    <span className="recent-dir mono">{entry.dir}</span>
                  </span>
                  <button
                    type="button"
                    className="button is-small"
                    aria-label={`Remove ${entry.name} (missing) from the list`}
                    onClick={() => void forget(entry)}
                  >
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
