// The studio window: a sandboxed renderer that reaches the studio only through the preload's `window.studio`.
import { app, BrowserWindow } from 'electron'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { rendererDir } from '../paths.js'

/** Where the studio page comes from: the Vite dev server under `electron-vite dev`, else the built renderer. */
export interface AppPage {
  url: string
  /** Set in development only. */
  devServerUrl?: string
  /** The built index.html, when not in development. */
  file?: string
}

export function appPage(): AppPage {
  // electron-vite sets this only for `dev`; a packaged app must never be pointed at a server by its environment.
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
  if (devServerUrl) return { url: devServerUrl, devServerUrl }
  const file = path.join(rendererDir(), 'index.html')
  return { url: pathToFileURL(file).href, file }
}

export function createWindow(page: AppPage): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Kindling Studio',
    width: 1280,
    height: 820,
    minWidth: 880,
    minHeight: 560,
    // Shown once painted, so the user never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  })
  win.once('ready-to-show', () => win.show())
  const load = page.file ? win.loadFile(page.file) : win.loadURL(page.url)
  load.catch((error: unknown) => console.error(`kindling: cannot load the studio page ${page.url}:`, error))
  return win
}
