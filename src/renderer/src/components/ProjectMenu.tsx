// The project menu behind the project's name in the top bar: the recent projects (switch in one click), open or create
// a project folder, and the demo. A menu button as WAI-ARIA describes it: Enter, Space or ArrowDown opens it on the first
// item, the arrows, Home and End move, Escape or Tab closes it, focus goes back to the button, an outside click closes it.
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { ProjectInfo, RecentProject, StudioInfo } from '../../../shared/api'
import { useStudio } from '../api/context'
import { CreateDemoCard } from '../pages/Welcome/CreateDemoCard'
import { OpenProjectCard } from '../pages/Welcome/OpenProjectCard'
import { errorMessage } from '../state/errors'
import { useSwitchGuard } from '../state/useSwitchGuard'
import { Dialog } from './Dialog'
import { Icon } from './Icon'

type Shown = 'menu' | 'open' | 'demo' | null

export function ProjectMenu({ project }: { project: ProjectInfo }) {
  const studio = useStudio()
  const [shown, setShown] = useState<Shown>(null)
  const [info, setInfo] = useState<Pick<StudioInfo, 'recent' | 'demoDir'> | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busyDir, setBusyDir] = useState<string | null>(null)
  const button = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLDivElement>(null)
  const { confirmSwitch, question } = useSwitchGuard()

  // Fresh each time the menu opens: the list changes with every open, here or in another window.
  useEffect(() => {
    if (shown !== 'menu') return
    let current = true
    studio.request('studio.info', {}).then(
      (loaded) => current && setInfo({ recent: loaded.recent, demoDir: loaded.demoDir }),
      (e: unknown) => current && setError(errorMessage(e)),
    )
    return () => {
      current = false
    }
  }, [studio, shown])

  // Focus the first item once the list is there (it arrives after the menu opens), not the items below it.
  const focusFirst = useRef(false)
  useEffect(() => {
    if (shown !== 'menu' || !focusFirst.current || (info === null && error === null)) return
    const first = items(menu.current)[0]
    if (first) {
      first.focus()
      focusFirst.current = false
    }
  })

  // An outside click closes the menu (without taking focus back: the user clicked somewhere else on purpose).
  useEffect(() => {
    if (shown !== 'menu') return
    const outside = (event: PointerEvent) => {
      const target = event.target as Element
      // A click in the job question (a modal over the menu) answers it; the menu stays for the answer's outcome.
      if (target.closest?.('dialog')) return
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setShown(null)
    }
    document.addEventListener('pointerdown', outside)
    return () => document.removeEventListener('pointerdown', outside)
  }, [shown])

  // However the menu closes, a keyboard user's focus must not fall to the page's body with it (the menu's items go with
  // the menu): focus still inside the menu, or already lost, goes back to the project's name. Focus the user moved
  // elsewhere (Tab, a click on something focusable) stays where it went.
  useLayoutEffect(() => {
    if (shown !== 'menu') return
    const popup = menu.current
    const name = button.current
    return () => {
      const active = document.activeElement
      if (!active || active === document.body || popup?.contains(active)) name?.focus()
    }
  }, [shown])

  const openMenu = () => {
    setError(null)
    setInfo(null)
    focusFirst.current = true
    setShown('menu')
  }
  const closeMenu = (refocus = true) => {
    setShown(null)
    if (refocus) button.current?.focus()
  }

  const switchTo = async (entry: RecentProject) => {
    if (entry.dir === project.dir) return closeMenu()
    setError(null)
    setBusyDir(entry.dir)
    try {
      if (!(await confirmSwitch(entry.name))) return
      // The studio tells every page of the new project (`project.changed`); the pages are keyed by its folder.
      await studio.request('project.open', { dir: entry.dir })
      closeMenu()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusyDir(null)
    }
  }

  const forget = async (entry: RecentProject) => {
    setError(null)
    try {
      const recent = await studio.request('project.forget', { dir: entry.dir })
      setInfo((old) => old && { ...old, recent })
      // The removed row had focus: keep the keyboard user in the menu.
      requestAnimationFrame(() => (items(menu.current)[0] ?? button.current)?.focus())
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  const onMenuKey = (event: KeyboardEvent) => {
    const all = items(menu.current)
    const at = all.indexOf(document.activeElement as HTMLElement)
    const move = (to: number) => {
      event.preventDefault()
      all[(to + all.length) % all.length]?.focus()
    }
    if (event.key === 'ArrowDown') move(at + 1)
    else if (event.key === 'ArrowUp') move(at - 1)
    else if (event.key === 'Home') move(0)
    else if (event.key === 'End') move(all.length - 1)
    else if (event.key === 'Escape') {
      event.preventDefault()
      closeMenu()
    } else if (event.key === 'Tab') closeMenu(false)
  }

  const dialogDone = () => {
    setShown(null)
    button.current?.focus()
  }

  return (
    <div className="project-menu">
      <button
        ref={button}
        type="button"
        className="top-bar-project"
        title={project.dir}
        aria-haspopup="menu"
        aria-expanded={shown === 'menu'}
        aria-controls={shown === 'menu' ? 'project-menu' : undefined}
        data-testid="project-menu"
        onClick={() => (shown === 'menu' ? closeMenu() : openMenu())}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && shown !== 'menu') {
            event.preventDefault()
            openMenu()
          } else if (event.key === 'Escape' && shown === 'menu') {
            // Before the list has loaded focus is still here, not in the menu.
            event.preventDefault()
            closeMenu()
          }
        }}
      >
        <span className="top-bar-caption">Project</span>
        <span className="top-bar-name-row">
          <span className="top-bar-name" data-testid="project-name">
            {project.name}
          </span>
          <span className="top-bar-chevron">
            <Icon name="chevron" size={12} />
          </span>
        </span>
      </button>

      {shown === 'menu' && (
        <div ref={menu} id="project-menu" className="project-menu-popup" role="menu" aria-label="Projects" onKeyDown={onMenuKey}>
          <div className="project-menu-heading" role="presentation">
            Recent projects
          </div>
          {info === null && !error && <div className="project-menu-note muted">Loading…</div>}
          {info?.recent.length === 0 && <div className="project-menu-note muted">Projects you open appear here.</div>}
          {info?.recent.map((entry) => (
            <RecentRow
              key={entry.dir}
              entry={entry}
              open={entry.dir === project.dir}
              busy={busyDir === entry.dir}
              onOpen={() => void switchTo(entry)}
              onForget={() => void forget(entry)}
            />
          ))}
          {error && (
            <p className="project-menu-error field-error" role="alert">
              {error}
            </p>
          )}
          <div className="project-menu-separator" role="separator" />
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="project-menu-item"
            onClick={() => setShown('open')}
            data-testid="menu-open-project"
          >
            <Icon name="folder" />
            <span>Open or create a project…</span>
          </button>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="project-menu-item"
            onClick={() => setShown('demo')}
            disabled={!info}
            data-testid="menu-create-demo"
          >
            <Icon name="import" />
            <span>Create the demo project…</span>
          </button>
        </div>
      )}

      {shown === 'open' && (
        <Dialog title="Open or create a project" onClose={dialogDone} testId="open-project-dialog">
          <OpenProjectCard inDialog beforeOpen={confirmSwitch} onOpened={dialogDone} />
        </Dialog>
      )}
      {shown === 'demo' && info && (
        <Dialog title="Create the demo project" onClose={dialogDone} testId="demo-dialog">
          <CreateDemoCard inDialog defaultDir={info.demoDir} beforeOpen={confirmSwitch} onOpened={dialogDone} />
        </Dialog>
      )}
      {question}
    </div>
  )
}

/** One recent project: open it, or (when its folder is gone) remove it from the list. */
function RecentRow(props: { entry: RecentProject; open: boolean; busy: boolean; onOpen(): void; onForget(): void }) {
  const { entry, open, busy, onOpen, onForget } = props
  if (!entry.exists) {
    return (
      <div className="project-menu-row is-missing" data-testid="recent-project" data-dir={entry.dir}>
        <span className="project-menu-project" title={`${entry.dir} is missing: deleted, moved, or on a drive that is not plugged in`}>
          <span className="project-menu-name">{entry.name}</span>
          <span className="project-menu-dir mono">{entry.dir}</span>
        </span>
        <span className="project-menu-missing">Missing</span>
        <button
          type="button"
          role="menuitem"
          tabIndex={-1}
          className="button is-small"
          aria-label={`Remove ${entry.name} (missing) from the list`}
          onClick={onForget}
          data-testid="recent-remove"
        >
          Remove
        </button>
      </div>
    )
  }
  return (
    <button
      type="button"
      role="menuitemradio"
      aria-checked={open}
      tabIndex={-1}
      className={`project-menu-row${open ? ' is-open' : ''}`}
      title={entry.dir}
      // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page while the project opens.
      onClick={busy ? undefined : onOpen}
      aria-disabled={busy || undefined}
      data-testid="recent-project"
      data-dir={entry.dir}
    >
      <span className="project-menu-check">{open && <Icon name="check" />}</span>
      <span className="project-menu-project">
        <span className="project-menu-name">{entry.name}</span>
        <span className="project-menu-dir mono">{entry.dir}</span>
      </span>
      {busy && <span className="muted">Opening…</span>}
    </button>
  )
}

/** The menu's focusable items, in order. */
function items(menu: HTMLElement | null): HTMLElement[] {
  return menu ? [...menu.querySelectorAll<HTMLElement>('[role^="menuitem"]:not(:disabled)')] : []
}
