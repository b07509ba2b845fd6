import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_RECENT, parseRecent, RecentProjects, recentFile, withRecent } from '../../../src/main/project/recent.js'
import { DB_FILE } from '../../../src/main/store/index.js'

const dirs: string[] = []
function userData() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-recent-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const abs = (name: string) => path.resolve(os.tmpdir(), name)

describe('parsing recent.json', () => {
  it('reads the project folders, newest first', () => {
    expect(parseRecent(JSON.stringify({ projects: [abs('b'), abs('a')] }))).toEqual([abs('b'), abs('a')])
  })

  it('drops duplicates and keeps at most the newest ten', () => {
    const many = Array.from({ length: 15 }, (_, i) => abs(`p${i}`))
    const parsed = parseRecent(JSON.stringify({ projects: [many[0], ...many] }))
    expect(parsed).toEqual(many.slice(0, MAX_RECENT))
  })

  it.each([
    ['an empty file', ''],
    ['broken JSON', '{"projects": ['],
    ['a bare list', JSON.stringify([abs('a')])],
    ['a wrong type', JSON.stringify({ projects: 'nope' })],
    ['a relative folder', JSON.stringify({ projects: ['my-project'] })],
    ['an empty folder name', JSON.stringify({ projects: [''] })],
    ['a non-string entry', JSON.stringify({ projects: [abs('a'), 3] })],
  ])('gives no projects for %s, so the studio starts on its Welcome screen', (_name, text) => {
    expect(parseRecent(text)).toEqual([])
  })
})

describe('remembering a project', () => {
  it('moves it to the front without duplicating it', () => {
    expect(withRecent([abs('a'), abs('b'), abs('c')], abs('c'))).toEqual([abs('c'), abs('a'), abs('b')])
    expect(withRecent([abs('a')], abs('z'))).toEqual([abs('z'), abs('a')])
  })

  it('forgets the oldest beyond ten', () => {
    const ten = Array.from({ length: MAX_RECENT }, (_, i) => abs(`p${i}`))
    expect(withRecent(ten, abs('new'))).toEqual([abs('new'), ...ten.slice(0, MAX_RECENT - 1)])
  })
})

describe('the recent projects file', () => {
  it('is empty when it does not exist yet', async () => {
    const recent = new RecentProjects(path.join(userData(), 'recent.json'))
    expect(await recent.load()).toEqual([])
  })

  it('keeps what was opened across restarts, creating the folder if needed', async () => {
    const file = path.join(userData(), 'nested', 'recent.json')
    const recent = new RecentProjects(file)
    await recent.load()
    await recent.add(abs('first'))
    await recent.add(abs('second'))
    expect(await new RecentProjects(file).load()).toEqual([abs('second'), abs('first')])
    expect(fs.readdirSync(path.dirname(file))).toEqual(['recent.json'])
  })

  it('writes quick successive opens in order', async () => {
    const file = path.join(userData(), 'recent.json')
    const recent = new RecentProjects(file)
    await recent.load()
    const writes = [abs('a'), abs('b'), abs('c'), abs('a')].map((dir) => recent.add(dir))
    await Promise.all(writes)
    expect(await new RecentProjects(file).load()).toEqual([abs('a'), abs('c'), abs('b')])
  })

  it('does not rewrite the file when the latest project is reopened', async () => {
    const file = path.join(userData(), 'recent.json')
    const recent = new RecentProjects(file)
    await recent.load()
    await recent.add(abs('a'))
    fs.writeFileSync(file, JSON.stringify({ projects: [abs('marker')] }))
    await recent.add(abs('a'))
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ projects: [abs('marker')] })
  })

  it('starts afresh from a corrupt file and replaces it on the next open', async () => {
    const file = path.join(userData(), 'recent.json')
    fs.writeFileSync(file, '\u0000garbage')
    const recent = new RecentProjects(file)
    expect(await recent.load()).toEqual([])
    await recent.add(abs('a'))
    expect(await new RecentProjects(file).load()).toEqual([abs('a')])
  })

  it('keeps saving after a failed write', async () => {
    const base = userData()
    const blocker = path.join(base, 'blocked')
    fs.writeFileSync(blocker, '') // a file where the folder should be: mkdir fails
    const recent = new RecentProjects(path.join(blocker, 'recent.json'))
    await expect(recent.add(abs('a'))).rejects.toThrow()
    fs.rmSync(blocker)
    await recent.add(abs('b'))
    expect(await new RecentProjects(path.join(blocker, 'recent.json')).load()).toEqual([abs('b'), abs('a')])
  })
})

/** A folder that looks like a project to the list (it holds a project database), under a fresh temp folder. */
function projectDir(name: string) {
  const dir = path.join(userData(), name)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, DB_FILE), '')
  return dir
}

describe('where the list lives', () => {
  it('is recent.json in KINDLING_HOME when that is set', () => {
    expect(recentFile({ KINDLING_HOME: '/data/kindling', XDG_CONFIG_HOME: '/cfg' })).toBe(path.resolve('/data/kindling/recent.json'))
  })

  it('is kindling/recent.json under XDG_CONFIG_HOME otherwise, or under ~/.config', () => {
    expect(recentFile({ XDG_CONFIG_HOME: '/cfg' })).toBe(path.join('/cfg', 'kindling', 'recent.json'))
    expect(recentFile({})).toBe(path.join(os.homedir(), '.config', 'kindling', 'recent.json'))
    // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored, rather than resolved against whatever folder.
    expect(recentFile({ XDG_CONFIG_HOME: 'cfg' })).toBe(path.join(os.homedir(), '.config', 'kindling', 'recent.json'))
  })
})

describe('the list as the project menu shows it', () => {
  it('names each project by its folder and marks the ones that are gone as missing, in order', async () => {
    const garden = projectDir('Garden camera')
    const gone = path.join(userData(), 'Robot arm')
    const emptied = path.join(userData(), 'Emptied') // the folder is there but its project is not
    fs.mkdirSync(emptied)
    const file = path.join(userData(), 'recent.json')
    fs.writeFileSync(file, JSON.stringify({ projects: [gone, garden, emptied] }))
    const recent = new RecentProjects(file)
    await recent.load()
    expect(recent.entries()).toEqual([
      { dir: gone, name: 'Robot arm', exists: false },
      { dir: garden, name: 'Garden camera', exists: true },
      { dir: emptied, name: 'Emptied', exists: false },
    ])
  })

  it('reopens the newest project that is still there, or none', async () => {
    const file = path.join(userData(), 'recent.json')
    const older = projectDir('older')
    fs.writeFileSync(file, JSON.stringify({ projects: [abs('unplugged-drive-project'), older] }))
    const recent = new RecentProjects(file)
    await recent.load()
    expect(recent.latestExisting()).toBe(older)
    fs.rmSync(older, { recursive: true })
    expect(recent.latestExisting()).toBeUndefined()
    // A missing project stays listed: the drive may be plugged back in.
    expect(recent.projects()).toEqual([abs('unplugged-drive-project'), older])
  })

  it('forgets one project on request, on disk too, and says whether it was listed', async () => {
    const file = path.join(userData(), 'recent.json')
    const recent = new RecentProjects(file)
    await recent.load()
    for (const name of ['a', 'b', 'c']) await recent.add(abs(name))
    expect(await recent.forget(abs('b'))).toBe(true)
    expect(await recent.forget(abs('b'))).toBe(false)
    expect(await new RecentProjects(file).load()).toEqual([abs('c'), abs('a')])
  })

  it('tells listeners of each change, but not of reopening the latest', async () => {
    const recent = new RecentProjects()
    let changes = 0
    const off = recent.onChange(() => changes++)
    await recent.add(abs('a'))
    await recent.add(abs('a'))
    await recent.add(abs('b'))
    await recent.forget(abs('a'))
    expect(changes).toBe(3)
    off()
    await recent.add(abs('c'))
    expect(changes).toBe(3)
  })

  it('lives in memory only without a file', async () => {
    const recent = new RecentProjects()
    expect(await recent.load()).toEqual([])
    await recent.add(abs('a'))
    expect(recent.projects()).toEqual([abs('a')])
    await recent.settled()
  })
})
