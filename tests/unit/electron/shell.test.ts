// The shell's handlers, driven the way Electron would drive them, with 'electron' replaced by a recorder: the Electron
// binary is not needed to check who may call the studio, what the thumbnail protocol answers, and what the page may do.
import { EventEmitter } from 'node:events'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Studio as StudioType } from '../../../src/main/studio.js'

const electron = vi.hoisted(() => ({
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  protocols: new Map<string, (request: Request) => Promise<Response>>(),
  schemes: [] as unknown[],
  opened: [] as string[],
  picked: ['/home/me/photos'] as string[],
}))

vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => unknown) => electron.handlers.set(channel, fn) },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => electron.schemes.push(...schemes),
    handle: (scheme: string, fn: (request: Request) => Promise<Response>) => electron.protocols.set(scheme, fn),
  },
  dialog: { showOpenDialog: async () => ({ canceled: false, filePaths: electron.picked }) },
  shell: { openExternal: async (url: string) => void electron.opened.push(url) },
}))

const { forwardEvents, serveIpc } = await import('../../../src/main/electron/ipc.js')
const { registerThumbnailScheme, serveThumbnails } = await import('../../../src/main/electron/protocol.js')
const { hardenContents, hardenSession } = await import('../../../src/main/electron/security.js')
const { Studio } = await import('../../../src/main/studio.js')

const page = { url: 'file:///opt/kindling/out/renderer/index.html', file: '/opt/kindling/out/renderer/index.html' }

function fakeWindow(url = page.url) {
  const mainFrame = { frameTreeNodeId: 1, url, parent: null }
  const sent: unknown[][] = []
  const webContents = Object.assign(new EventEmitter(), {
    mainFrame,
    getURL: () => mainFrame.url,
    send: (...args: unknown[]) => sent.push(args),
    setWindowOpenHandler(handler: (details: { url: string }) => unknown) {
      this.openHandler = handler
    },
    openHandler: undefined as undefined | ((details: { url: string }) => unknown),
  })
  return { win: { webContents, isDestroyed: () => false }, mainFrame, sent }
}

describe('the IPC transport', () => {
  const studio = new Studio({ demoDir: '/nonexistent' })
  const { win, mainFrame, sent } = fakeWindow()
  const call = (event: unknown, message: unknown) => electron.handlers.get('studio:request')!(event, message)
  const ours = { sender: win.webContents, senderFrame: mainFrame }

  beforeAll(() => serveIpc(studio, page, () => win as never))
  afterAll(() => studio.close())

  it('answers the studio page through the dispatcher', async () => {
    const response = await call(ours, { id: 7, method: 'studio.info', params: {} })
    expect(response).toMatchObject({ id: 7, ok: true, result: { project: null, demoDir: '/nonexistent' } })
  })

  it('turns a bad message into an error response naming the field', async () => {
    expect(await call(ours, { id: 8, method: 'project.open', params: { dir: '' } })).toEqual({
      id: 8,
      ok: false,
      error: { code: 'invalid', field: 'params.dir', message: 'params.dir: must not be empty' },
    })
  })

  it.each([
    ['a frame inside the page', { sender: win.webContents, senderFrame: { ...mainFrame, frameTreeNodeId: 2 } }],
    ['another page in the window', { sender: win.webContents, senderFrame: { ...mainFrame, url: 'file:///tmp/x.html' } }],
    ['another window', { sender: fakeWindow().win.webContents, senderFrame: mainFrame }],
    ['a frame that is gone', { sender: win.webContents, senderFrame: null }],
  ])('refuses %s', async (_name, event) => {
    await expect(call(event, { id: 1, method: 'studio.info' })).rejects.toThrow(/refused/)
    await expect(electron.handlers.get('studio:pickFolder')!(event)).rejects.toThrow(/refused/)
  })

  it('picks a folder for the studio page', async () => {
    expect(await electron.handlers.get('studio:pickFolder')!(ours)).toBe('/home/me/photos')
  })

  it('forwards studio events to the page until told to stop', () => {
    const stop = forwardEvents(studio, win as never, page)
    const event = { event: 'project.changed', payload: { dir: '/p', name: 'p', counts: {} } } as never
    studio.emit('event', event)
    stop()
    studio.emit('event', event)
    expect(sent).toEqual([['studio:event', event]])
  })

  it('sends no events to a page that is not the studio', () => {
    const other = fakeWindow('https://example.com/')
    const stop = forwardEvents(studio, other.win as never, page)
    studio.emit('event', { event: 'project.changed', payload: {} } as never)
    stop()
    expect(other.sent).toEqual([])
  })
})

describe('the thumbnail protocol', () => {
  const webp = Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBP')
  const studio = { thumbnail: async (id: number) => (id === 3 ? webp : undefined) } as unknown as StudioType
  const get = (url: string, init?: RequestInit) => electron.protocols.get('kindling')!(new Request(url, init))

  beforeAll(() => {
    registerThumbnailScheme()
    serveThumbnails(studio)
  })

  it('registers kindling: as a standard, secure scheme', () => {
    expect(electron.schemes).toEqual([{ scheme: 'kindling', privileges: { standard: true, secure: true } }])
  })

  it('serves an image thumbnail as WebP, cacheable for good when the URL carries its hash', async () => {
    const response = await get('kindling://thumbnails/3?v=0123456789abcdef')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/webp')
    expect(response.headers.get('cache-control')).toContain('immutable')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(webp)
    expect((await get('kindling://thumbnails/3')).headers.get('cache-control')).toBe('no-cache')
  })

  it('answers 404 for unknown images and other paths, 405 for anything but GET', async () => {
    expect((await get('kindling://thumbnails/4?v=x')).status).toBe(404)
    expect((await get('kindling://thumbnails/abc')).status).toBe(404)
    expect((await get('kindling://other/3')).status).toBe(404)
    expect((await get('kindling://thumbnails/3', { method: 'POST', body: 'x' })).status).toBe(405)
  })

  it('answers 500, not a crash, when the thumbnail cannot be made', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    studio.thumbnail = async () => {
      throw new Error('corrupt file')
    }
    expect((await get('kindling://thumbnails/3')).status).toBe(500)
    spy.mockRestore()
  })
})

describe('the page', () => {
  const { win } = fakeWindow()
  hardenContents(win.webContents as never, page)
  const navigate = (url: string) => {
    const event = { url, preventDefault: vi.fn() }
    win.webContents.emit('will-navigate', event)
    return event.preventDefault.mock.calls.length > 0
  }

  it('may reload itself but navigate nowhere else; an https link opens in the system browser instead', () => {
    electron.opened.length = 0
    expect(navigate(`${page.url}#/review`)).toBe(false)
    expect(navigate('file:///etc/passwd')).toBe(true)
    expect(navigate('https://example.com/')).toBe(true)
    expect(electron.opened).toEqual(['https://example.com/'])
  })

  it('opens no windows; https links go to the system browser, others nowhere', async () => {
    electron.opened.length = 0
    expect(win.webContents.openHandler!({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' })
    expect(win.webContents.openHandler!({ url: 'http://example.com/' })).toEqual({ action: 'deny' })
    expect(win.webContents.openHandler!({ url: 'file:///bin/sh' })).toEqual({ action: 'deny' })
    await Promise.resolve()
    expect(electron.opened).toEqual(['https://example.com/docs'])
  })

  it('gets no permissions, and its CSP header replaces any other', () => {
    let requestHandler: ((...args: unknown[]) => void) | undefined
    let checkHandler: (() => boolean) | undefined
    let headersHandler: ((details: unknown, callback: (response: unknown) => void) => void) | undefined
    hardenSession(
      {
        setPermissionRequestHandler: (h: typeof requestHandler) => (requestHandler = h),
        setPermissionCheckHandler: (h: typeof checkHandler) => (checkHandler = h),
        webRequest: { onHeadersReceived: (h: typeof headersHandler) => (headersHandler = h) },
      } as never,
      page,
    )
    const granted = vi.fn()
    requestHandler!(win.webContents, 'media', granted)
    expect(granted).toHaveBeenCalledWith(false)
    expect(checkHandler!()).toBe(false)

    const respond = (details: object) => {
      let response: unknown
      headersHandler!(details, (r) => (response = r))
      return response as { responseHeaders?: Record<string, string[]> }
    }
    const document = respond({
      resourceType: 'mainFrame',
      url: page.url,
      responseHeaders: { 'content-security-policy': ['default-src *'], 'x-other': ['1'] },
    })
    expect(document.responseHeaders).toEqual({
      'x-other': ['1'],
      'Content-Security-Policy': [expect.stringMatching(/^default-src 'none'; script-src 'self';/)],
    })
    expect(respond({ resourceType: 'image', url: 'kindling://thumbnails/1' })).toEqual({})
    expect(respond({ resourceType: 'mainFrame', url: 'https://example.com/' })).toEqual({})
  })
})
