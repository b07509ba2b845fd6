// The renderer's only door to the studio: `window.studio`, exactly the StudioApi that serve mode also offers, and
// nothing else (no ipcRenderer, no Node). Sandboxed preloads may only require 'electron', so this imports types alone
// from the API contract; validation happens in the main process.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron'
import type { ResponseMessage, StudioApi, StudioEvent } from '../../shared/api.js'
import { bridgedErrorMessage, CHANNELS, photoUrl, thumbnailUrl } from './bridge.js'

let nextId = 1

const api = {
  async request(method, params) {
    const response = (await ipcRenderer.invoke(CHANNELS.request, { id: nextId++, method, params })) as ResponseMessage
    if (response.ok) return response.result as never
    throw new Error(bridgedErrorMessage(response.error))
  },
  on(listener) {
    const handler = (_event: IpcRendererEvent, message: StudioEvent) => listener(message)
    ipcRenderer.on(CHANNELS.event, handler)
    return () => {
      ipcRenderer.removeListener(CHANNELS.event, handler)
    }
  },
  thumbnailUrl: (image) => thumbnailUrl({ id: image.id, sha256: image.sha256 }),
  photoUrl: (image) => photoUrl({ id: image.id, sha256: image.sha256 }),
  pickFolder: () => ipcRenderer.invoke(CHANNELS.pickFolder) as Promise<string | null>,
} satisfies StudioApi

contextBridge.exposeInMainWorld('studio', api)
