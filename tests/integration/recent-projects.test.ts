// The recent projects list through the API (in-process, the real SQLite) and `kindling serve` reopening the latest one
// (the real CLI in a child process, with KINDLING_HOME pointing at a temp folder so the user's own list is untouched).
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/dispatcher.js'
import { RecentProjects } from '../../src/main/project/recent.js'
import { Studio } from '../../src/main/studio.js'
import { repoRoot, tempDir } from '../helpers/fixtures.js'

describe('the recent projects in the API', () => {
  const studios: Studio[] = []
  afterEach(async () => {
    for (const studio of studios.splice(0)) await studio.close()
  })

  async function studioWithList(file: string) {
    const recent = new RecentProjects(file)
    await recent.load()
    const studio = new Studio({ recent, demoDir: path.join(tempDir(), 'Demo') })
    studios.push(studio)
    const call = async (method: string, params: unknown = {}) => dispatch(studio, { id: 1, method, params })
    return { studio, call }
  }

  it('lists every project opened or created, newest first, and keeps the list for the next start', async () => {
    const home = tempDir()
    const file = path.join(home, 'recent.json')
    const a = path.join(tempDir(), 'Garden camera')
    const b = path.join(tempDir(), 'Robot arm')
    const { call } = await studioWithList(file)
    expect(await call('project.open', { dir: a, create: true })).toMatchObject({ ok: true })
    expect(await call('project.open', { dir: b, create: true })).toMatchObject({ ok: true })
    expect(await call('project.open', { dir: a })).toMatchObject({ ok: true })
    const info = await call('studio.info')
    expect(info).toMatchObject({
      ok: true,
      result: {
        project: { dir: a },
        recent: [
          { dir: a, name: 'Garden camera', exists: true },
          { dir: b, name: 'Robot arm', exists: true },
        ],
      },
    })

    // A failed open (no such folder) is not remembered.
    expect(await call('project.open', { dir: path.join(home, 'nope') })).toMatchObject({ ok: false, error: { code: 'not_found' } })

    await studios.pop()!.close()
    const again = await studioWithList(file)
    expect(again.studio.recent.projects()).toEqual([a, b])
  })

  it('shows a deleted project as missing rather than failing, and forgets it on request', async () => {
    const a = path.join(tempDir(), 'a')
    const b = path.join(tempDir(), 'b')
    const { call } = await studioWithList(path.join(tempDir(), 'recent.json'))
    await call('project.open', { dir: a, create: true })
    await call('project.open', { dir: b, create: true })
    fs.rmSync(a, { recursive: true })

    const info = await call('studio.info')
    expect(info).toMatchObject({
      ok: true,
      result: {
        recent: [
          { dir: b, exists: true },
          { dir: a, exists: false },
        ],
      },
    })

    expect(await call('project.forget', { dir: a })).toEqual({ id: 1, ok: true, result: [{ dir: b, name: 'b', exists: true }] })
    expect(await call('project.forget', { dir: a })).toMatchObject({
      ok: false,
      error: { code: 'not_found', field: 'params.dir', message: expect.stringContaining('not in the recent projects') },
    })
    expect(await call('project.forget', { dir: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', field: 'params.dir', message: 'params.dir: must be an absolute path' },
    })
    expect(await call('project.forget', {})).toMatchObject({ ok: false, error: { code: 'invalid', field: 'params.dir' } })
  })
})

describe('kindling serve', () => {
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  })

  /** Start `kindling serve ARGS`, wait for its banner line, stop it as a user would (Ctrl-C) and return the line. */
  async function serveOnce(home: string, ...args: string[]): Promise<string> {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), 'serve', ...args, '--port', '0'], {
      env: { ...process.env, KINDLING_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let stdout = ''
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const banner = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const line = /^Kindling Studio.* at http:\S+$/m.exec(stdout)?.[0]
        if (line) resolve(line)
      })
      void exited.then((code) => reject(new Error(`kindling serve exited (${code}) before its URL:\n${stderr}`)))
    })
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    return banner
  }

  it('reopens the latest project that still exists when started without --project', async () => {
    const home = tempDir()
    const a = path.join(tempDir(), 'Garden camera')
    const b = path.join(tempDir(), 'Robot arm')

    // Nothing opened yet: the Welcome screen, no project in the banner.
    expect(await serveOnce(home)).toMatch(/^Kindling Studio at http:/)
    expect(await serveOnce(home, '--project', a)).toContain(`(${a})`)
    expect(await serveOnce(home, '--project', b)).toContain(`(${b})`)
    expect(await serveOnce(home)).toContain(`(${b})`)
    expect(JSON.parse(fs.readFileSync(path.join(home, 'recent.json'), 'utf8'))).toEqual({ projects: [b, a] })

    // The latest is gone (deleted, or on an unplugged drive): the next one still there opens, and the gone one stays listed.
    fs.rmSync(b, { recursive: true })
    expect(await serveOnce(home)).toContain(`(${a})`)
    expect(JSON.parse(fs.readFileSync(path.join(home, 'recent.json'), 'utf8'))).toEqual({ projects: [a, b] })

    // A corrupt list is no error: the studio starts on Welcome.
    fs.writeFileSync(path.join(home, 'recent.json'), '{"projects": [')
    expect(await serveOnce(home)).toMatch(/^Kindling Studio at http:/)
  }, 120_000)
})
