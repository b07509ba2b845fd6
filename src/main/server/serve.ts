// Serve mode: the renderer build and the studio API over HTTP and a WebSocket on 127.0.0.1, for headless machines and
// for end-to-end tests. Only a client that holds the random token (from the printed URL) may call the API or read
// thumbnails; the Host and Origin checks keep other web pages (DNS rebinding, cross-site WebSockets) out.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { WebSocket, WebSocketServer } from 'ws'
import type { StudioEvent } from '../../shared/api.js'
import { dispatch } from '../dispatcher.js'
import { BadPhotoError } from '../media/index.js'
import { rendererDir as defaultRendererDir } from '../paths.js'
import { readPhoto } from '../review/index.js'
import type { Studio } from '../studio.js'

export interface ServeOptions {
  studio: Studio
  port?: number
  rendererDir?: string
  token?: string
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const HOST = '127.0.0.1'
const MAX_MESSAGE_BYTES = 1024 * 1024

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { studio } = options
  const root = path.resolve(options.rendererDir ?? defaultRendererDir())
  const token = options.token ?? randomBytes(24).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const hasToken = (candidate: string | null) => {
    const given = Buffer.from(candidate ?? '')
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes)
  }

  try {
    await fs.access(path.join(root, 'index.html'))
  } catch {
    throw new Error(`the studio UI is not built (${root} has no index.html): run \`npm run build\``)
  }

  let port = 0
  const allowedHosts = () => new Set([`${HOST}:${port}`, `localhost:${port}`])

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(error instanceof Error ? error.message : 'internal error')
    })
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 421, 'wrong host')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed')
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`)

    const thumb = /^\/thumbnails\/(\d+)$/.exec(url.pathname)
    if (thumb) {
      if (!hasToken(url.searchParams.get('token'))) return send(res, 401, 'missing or wrong token')
      let webp: Buffer | undefined
      try {
        webp = await studio.thumbnail(Number(thumb[1]))
      } catch (error) {
        // The photo moved or broke after import and the cached thumbnail is gone too: nothing to show, not a fault.
        if (error instanceof BadPhotoError) return send(res, 404, `photo unavailable: ${error.message}`)
        throw error
      }
      if (!webp) return send(res, 404, 'no such image')
      // The URL carries the content hash (?v=), so the browser may keep the response for good.
      res.writeHead(200, {
        'content-type': 'image/webp',
        'cache-control': url.searchParams.has('v') ? 'private, max-age=31536000, immutable' : 'no-cache',
      })
      return res.end(webp)
    }

    // The full photo for the Review page, behind the same token as the API.
    const photo = /^\/photos\/(\d+)$/.exec(url.pathname)
    if (photo) {
      if (!hasToken(url.searchParams.get('token'))) return send(res, 401, 'missing or wrong token')
      const found = await readPhoto(studio.project, Number(photo[1]))
      if (!found) return send(res, 404, 'no such photo')
      res.writeHead(200, {
        'content-type': found.contentType,
        'x-content-type-options': 'nosniff',
        // ?v= is the content hash, as for thumbnails: the same URL always means the same bytes.
        'cache-control': url.searchParams.has('v') ? 'private, max-age=31536000, immutable' : 'no-cache',
      })
      return res.end(req.method === 'HEAD' ? undefined : found.bytes)
    }

    // Static files of the renderer build; anything unknown falls back to the app (client-side pages).
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html'
    let file = path.resolve(root, rel)
    if (!file.startsWith(root + path.sep)) return send(res, 403, 'outside the app')
    let body: Buffer
    try {
      body = await fs.readFile(file)
    } catch {
      file = path.join(root, 'index.html')
      body = await fs.readFile(file)
    }
    const ext = path.extname(file)
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(ext === '.html'
        ? { 'cache-control': 'no-store', 'content-security-policy': contentSecurityPolicy(port), 'x-frame-options': 'DENY' }
        : { 'cache-control': 'no-cache' }),
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`)
    const origin = req.headers.origin
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
    }
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse('421 Misdirected Request')
    if (url.pathname !== '/api') return refuse('404 Not Found')
    if (!hasToken(url.searchParams.get('token'))) return refuse('401 Unauthorized')
    // Browsers always send Origin on WebSockets; another site's page must not reach the API with a leaked token.
    if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) return refuse('403 Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      void (async () => {
        let message: unknown
        try {
          if (isBinary) throw new Error('binary')
          message = JSON.parse(data.toString())
        } catch {
          const error = { code: 'invalid', message: 'message is not JSON text' }
          return ws.send(JSON.stringify({ id: null, ok: false, error }))
        }
        const response = await dispatch(studio, message)
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(response))
      })()
    })
  })

  const broadcast = (event: StudioEvent) => {
    const text = JSON.stringify(event)
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(text)
  }
  studio.on('event', broadcast)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, HOST, () => resolve())
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      studio.off('event', broadcast)
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The serve-mode CSP: only this origin's scripts, styles and images, and WebSockets back to this server. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ws://${HOST}:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function send(res: http.ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(text)
}
