// Review over serve mode: the full photo behind the token, and — against the real `kindling serve` process — an edit
// that was acknowledged survives the process being killed the moment the answer arrives.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startServer } from '../../../src/main/server/serve.js'
import { Store } from '../../../src/main/store/index.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, repoRoot, tempDir } from '../../helpers/fixtures.js'

const PHOTO = path.join(dlibFaces, '2008_001009.jpg')

/** A project holding one real photo (no thumbnails needed: the photo route reads the original file). */
function projectWithPhoto(): string {
  const dir = tempDir()
  const store = Store.open(dir, { create: true })
  const bytes = fs.statSync(PHOTO).size
  store.addImages([{ path: PHOTO, sha256: 'a'.repeat(64), bytes, mtimeMs: 1, width: 500, height: 375, format: 'jpeg', split: 'train' }])
  store.close()
  return dir
}

describe('review in serve mode', () => {
  it('serves the full photo only with the token, as stored', async () => {
    const renderer = tempDir()
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Kindling</title>')
    const studio = new Studio()
    await studio.openProject(projectWithPhoto())
    const server = await startServer({ studio, rendererDir: renderer })
    try {
      const base = `http://127.0.0.1:${server.port}`
      expect((await fetch(`${base}/photos/1`)).status).toBe(401)
      expect((await fetch(`${base}/photos/1?token=wrong`)).status).toBe(401)
      expect((await fetch(`${base}/photos/2?token=${server.token}`)).status).toBe(404)
      const ok = await fetch(`${base}/photos/1?token=${server.token}`)
      expect(ok.status).toBe(200)
      expect(ok.headers.get('content-type')).toBe('image/jpeg')
      expect(Buffer.from(await ok.arrayBuffer()).equals(fs.readFileSync(PHOTO))).toBe(true)
    } finally {
      await server.close()
      await studio.close()
    }
  })

  it('keeps an acknowledged edit when the server is killed right after answering', async () => {
    const dir = projectWithPhoto()
    const child = spawn(process.execPath, ['bin/kindling.js', 'serve', '--project', dir, '--port', '0'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const found = / at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1]
          if (found) resolve(new URL(found))
        })
        child.once('exit', (code) => reject(new Error(`kindling serve exited (${code})`)))
      })
      const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`)
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      const answer = new Promise<{ ok: boolean; result: { id: number } }>((resolve) =>
        ws.on('message', (data) => {
          const message = JSON.parse(data.toString())
          if (message.id === 1) {
            // The moment the acknowledgement arrives: no shutdown, no checkpoint, no chance to flush anything.
            child.kill('SIGKILL')
            resolve(message)
          }
        }),
      )
      ws.send(JSON.stringify({ id: 1, method: 'boxes.add', params: { imageId: 1, classId: 1, x: 40, y: 50, w: 60, h: 70 } }))
      const response = await answer
      expect(response.ok).toBe(true)
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)))
      ws.terminate()

      const store = Store.open(dir)
      expect(store.boxes(1)).toEqual([expect.objectContaining({ id: response.result.id, x: 40, y: 50, w: 60, h: 70, source: 'human' })])
      // And it can still be undone after the crash: the edit log row went in with the box.
      expect(store.undo()).toMatchObject({ imageId: 1, action: 'box.add' })
      store.close()
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  })
})
