// The Electron main process: hosts the studio, reopens the last project, and shows it in one sandboxed window.
import { app, type BrowserWindow, Menu, session } from 'electron'
import path from 'node:path'
import { Studio } from '../studio.js'
import { forwardEvents, serveIpc } from './ipc.js'
import { appMenu } from './menu.js'
import { keychainSecrets } from './secrets.js'
import { registerThumbnailScheme, serveThumbnails } from './protocol.js'
import { RecentProjects } from '../project/recent.js'
import { reopenLatest } from '../project/reopen.js'
import { hardenContents, hardenSession } from './security.js'
import { appPage, createWindow } from './window.js'

// Before anything awaits: an ES module main may be finished loading only after `ready`, and schemes must come first.
registerThumbnailScheme()

// Two studios on one machine would write the same project files; the second launch focuses the first instead.
if (!app.requestSingleInstanceLock()) app.quit()
else start()

function start() {
  const page = appPage()
  // The studio adds every project it opens to this list; the File menu's Open Recent and the project menu show it.
  const recent = new RecentProjects(path.join(app.getPath('userData'), 'recent.json'))
  const studio = new Studio({ secrets: keychainSecrets, recent })
  let win: BrowserWindow | null = null

  app.on('web-contents-created', (_event, contents) => hardenContents(contents, page))

  const openWindow = () => {
    const opened = createWindow(page)
    const stopEvents = forwardEvents(studio, opened, page)
    opened.on('closed', () => {
      stopEvents()
      if (win === opened) win = null
    })
    win = opened
  }

  app.on('second-instance', () => {
    if (!win) return
    if (win.isMinimized()) win.restore()
    win.focus()
  })

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession, page)
      serveThumbnails(studio)
      serveIpc(studio, page, () => win)
      await recent.load()
      const setMenu = () => Menu.setApplicationMenu(appMenu(studio, () => win))
      setMenu()
      // The Open Recent submenu checks the open project: rebuild on a change of list or of project (not of counts).
      let shownDir: string | undefined
      recent.onChange(setMenu)
      studio.on('event', (event) => {
        if (event.event !== 'project.changed' || event.payload.dir === shownDir) return
        shownDir = event.payload.dir
        setMenu()
      })
      // Before the window shows, so the user lands where they left off rather than on Welcome.
      await reopenLatest(studio)
      openWindow()
      // macOS keeps the app running with no window; clicking the dock icon brings one back.
      app.on('activate', () => {
        if (!win) openWindow()
      })
    })
    .catch((error: unknown) => {
      console.error('kindling: cannot start:', error)
      app.exit(1)
    })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  // Quitting waits for the studio to cancel its jobs and close the project database, so no job is cut off mid-write.
  let closing: 'no' | 'started' | 'done' = 'no'
  app.on('before-quit', (event) => {
    if (closing === 'done') return
    event.preventDefault()
    if (closing === 'started') return
    closing = 'started'
    studio
      .close()
      .catch((error: unknown) => console.error('kindling: error while closing the studio:', error))
      .finally(() => {
        closing = 'done'
        app.quit()
      })
  })
}
