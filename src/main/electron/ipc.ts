// The IPC transport: the renderer's `window.studio.request` arrives here and goes through the same dispatcher as the
// serve-mode WebSocket, which validates it against the API contract and never throws.
import { type BrowserWindow, dialog, type IpcMainInvokeEvent, ipcMain } from 'electron'
import type { ResponseMessage, StudioEvent } from '../../shared/api.js'
import { dispatch } from '../dispatcher.js'
import type { Studio } from '../studio.js'
import { CHANNELS } from './bridge.js'
import { isAppUrl } from './trust.js'
import type { AppPage } from './window.js'

/** Handles the renderer's calls; `window` is the studio window of the moment (none while it is being recreated). */
export function serveIpc(studio: Studio, page: AppPage, window: () => BrowserWindow | null): void {
  // Only the studio page in our own window may call: not a frame inside it, nor a page it was somehow navigated to.
  const caller = (event: IpcMainInvokeEvent): BrowserWindow => {
    const win = window()
    const frame = event.senderFrame
    const trusted =
      win !== null &&
      !win.isDestroyed() &&
      event.sender === win.webContents &&
      frame !== null &&
      frame.frameTreeNodeId === win.webContents.mainFrame.frameTreeNodeId &&
      isAppUrl(frame.url, page.url)
    if (!trusted) throw new Error(`studio API refused a call from ${frame?.url ?? 'a closed frame'}`)
    return win
  }

  ipcMain.handle(CHANNELS.request, async (event, message: unknown): Promise<ResponseMessage> => {
    caller(event)
    return dispatch(studio, message)
  })

  ipcMain.handle(CHANNELS.pickFolder, async (event): Promise<string | null> => {
    const win = caller(event)
    const picked = await dialog.showOpenDialog(win, { properties: ['openDirectory', 'createDirectory'] })
    return picked.canceled ? null : (picked.filePaths[0] ?? null)
  })
}

/** Sends the studio's events to a window while it lives; returns the way to stop. */
export function forwardEvents(studio: Studio, win: BrowserWindow, page: AppPage): () => void {
  const send = (event: StudioEvent) => {
    if (win.isDestroyed() || !isAppUrl(win.webContents.getURL(), page.url)) return
    win.webContents.send(CHANNELS.event, event)
  }
  studio.on('event', send)
  return () => studio.off('event', send)
}
