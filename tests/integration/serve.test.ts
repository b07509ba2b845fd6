import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startServer, type RunningServer } from '../../src/main/server/serve.js'
import { Studio } from '../../src/main/studio.js'
import { dlibFaces, tempDir } from '../helpers/fixtures.js'

let studio: Studio
let server: RunningServer
let base: string

beforeAll(async () => {
  // The server is under test here, not the UI: a one-line page stands in for the renderer build.
  const renderer = tempDir()
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Kindling</title>')
  fs.mkdirSync(path.join(renderer, 'assets'))
  fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)')
  studio = new Studio()
  await studio.openProject(tempDir(), { create: true })
  server = await startServer({ studio, rendererDir: renderer })
  base = `http://127.0.0.1:${server.port}`
})
afterAll(async () => {
  await server.close()
  await studio.close()
})

/** A connected API client that collects responses by id and events in order. */
async function connect(token = server.token, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${token}`, { headers })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
  const events: { event: string; payload: any }[] = []
  const waiting = new Map<number | null, (r: any) => void>()
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString())
    if ('event' in msg) events.push(msg)
    else waiting.get(msg.id)?.(msg)
  })
  let next = 1
  const send = (raw: unknown, id: number | null = null) =>
    new Promise<any>((resolve) => {
      waiting.set(id, resolve)
      ws.send(typeof raw === 'string' ? raw : JSON.stringify(raw))
    })
  const call = (method: string, params?: unknown) => {
    const id = next++
    return send({ id, method, params }, id)
  }
  return { ws, events, send, call }
}

describe('serve mode', () => {
  it('answers API calls over the WebSocket and streams import progress as events', async () => {
    const client = await connect()
    const info = await client.call('studio.info', {})
    expect(info).toMatchObject({ ok: true, result: { project: { counts: { images: 0 } } } })

    const started = await client.call('import.start', { dir: dlibFaces })
    expect(started.ok).toBe(true)
    await expect
      .poll(() => client.events.find((e) => e.event === 'job.progress' && e.payload.state === 'done'), { timeout: 20_000 })
      .toBeTruthy()
    expect(client.events.some((e) => e.event === 'project.changed' && e.payload.counts.images === 12)).toBe(true)

    const page = await client.call('images.page', { sort: 'name', limit: 5 })
    expect(page.result).toMatchObject({ total: 12, offset: 0 })
    expect(page.result.items).toHaveLength(5)

    // Thumbnails need the token too, and are cached for good when the URL names the content.
    const id = page.result.items[0].id
    expect((await fetch(`${base}/thumbnails/${id}`)).status).toBe(401)
    const thumb = await fetch(`${base}/thumbnails/${id}?v=abc&token=${server.token}`)
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/webp')
    expect(thumb.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${base}/thumbnails/999999?token=${server.token}`)).status).toBe(404)

    // A photo deleted after import, whose cached thumbnail is gone too, is a 404 that says why — not a server fault.
    studio.project!.addImages([
      { path: '/gone/photo.jpg', sha256: 'f'.repeat(64), bytes: 1, mtimeMs: 1, width: 1, height: 1, format: 'jpeg', split: 'train' },
    ])
    const gone = studio.project!.page({ sort: 'newest', offset: 0, limit: 1 }).items[0]
    const missing = await fetch(`${base}/thumbnails/${gone.id}?token=${server.token}`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('photo unavailable: cannot read: file not found (moved, or a broken link)')
    client.ws.close()
  })

  it('refuses a malformed message with an error naming the field, and changes nothing', async () => {
    const client = await connect()
    const before = (await client.call('project.counts', {})).result

    expect(await client.call('import.start', { dir: 42 })).toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'params.dir', message: expect.stringMatching(/^params\.dir: /) },
    })
    expect(await client.call('import.start', { dir: dlibFaces, recursive: false })).toMatchObject({
      ok: false,
      error: { field: 'params.recursive' },
    })
    expect(await client.call('images.page', { limit: 100000 })).toMatchObject({ ok: false, error: { field: 'params.limit' } })
    expect(await client.call('project.delete', {})).toMatchObject({ ok: false, error: { field: 'method' } })
    expect(await client.call('kindle.start', { teacher: 'yolo' })).toMatchObject({ ok: false, error: { field: 'params.teacher' } })
    expect(await client.call('kindle.start', { minScore: 2 })).toMatchObject({ ok: false, error: { field: 'params.minScore' } })
    expect(await client.send({ id: 77, params: {} }, 77)).toMatchObject({ ok: false, error: { field: 'method' } })
    expect(await client.send('{not json', null)).toMatchObject({ ok: false, error: { message: 'message is not JSON text' } })
    expect(await client.call('import.start', { dir: '/no/such/dir' })).toMatchObject({
      ok: false,
      error: { code: 'not_found', field: 'params.dir' },
    })

    expect((await client.call('project.counts', {})).result).toEqual(before)
    client.ws.close()
  })

  it('lets no one in without the token, from another site, or under another host name', async () => {
    await expect(connect('wrong-token')).rejects.toThrow('HTTP 401')
    await expect(connect(server.token, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403')
    // DNS rebinding: a page on a hostile name that resolves to 127.0.0.1 still sends its own Host header.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: `evil.example:${server.port}` } }, (res) => {
          res.resume()
          resolve(res.statusCode)
        })
        .on('error', reject),
    )
    expect(status).toBe(421)
  })

  it('serves the app with a strict content security policy, and nothing outside it', async () => {
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe')
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/)
    const escape = await fetch(`${base}/..%2f..%2f..%2fetc%2fpasswd`)
    expect(escape.status).toBe(403)
  })
})
