// The projects opened lately, newest first, kept in a `recent.json` so the studio reopens where the user left off and
// the project menu can offer them. Electron keeps the file in its userData folder; serve mode under the user's config
// home (recentFile()). The file is a convenience: if it is missing, unreadable or malformed the list is empty and the
// studio starts on its Welcome screen, never with an error. A listed folder that is gone (deleted, an unplugged drive)
// stays listed, marked missing, until the user removes it: it may come back.
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import type { RecentProject } from '../../shared/api.js'
import { DB_FILE } from '../store/index.js'

export const MAX_RECENT = 10

const RecentFile = z.object({
  projects: z.array(
    z
      .string()
      .min(1)
      .max(4096)
      .refine((dir) => path.isAbsolute(dir), 'must be an absolute path'),
  ),
})

/**
 * Where serve mode keeps its list: `$KINDLING_HOME/recent.json` when KINDLING_HOME is set (tests, portable installs),
 * else under the XDG config home (`~/.config/kindling/recent.json` by default).
 */
export function recentFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KINDLING_HOME) return path.join(path.resolve(env.KINDLING_HOME), 'recent.json')
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config')
  return path.join(config, 'kindling', 'recent.json')
}

/** The project folders in a `recent.json` text, or none if it is not one. */
export function parseRecent(text: string): string[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return []
  }
  const parsed = RecentFile.safeParse(json)
  return parsed.success ? withRecent(parsed.data.projects) : []
}

/** The list with `dir` moved (or added) to the front, without duplicates, at most MAX_RECENT long. */
export function withRecent(list: readonly string[], dir?: string): string[] {
  const all = dir === undefined ? list : [dir, ...list]
  return [...new Set(all)].slice(0, MAX_RECENT)
}

/** A listed folder as the project menu shows it: `exists` is false when the folder or its project database is gone. */
export function describeRecent(dir: string): RecentProject {
  return { dir, name: path.basename(dir), exists: fs.existsSync(path.join(dir, DB_FILE)) }
}

export class RecentProjects {
  private list: string[] = []
  // Writes are chained so two quick opens can't interleave and leave the older one on disk.
  private writing: Promise<void> = Promise.resolve()
  private readonly listeners = new Set<() => void>()

  /** `file` null keeps the list in memory only (the batch CLI commands and tests, which must not touch the user's list). */
  constructor(readonly file: string | null = null) {}

  /** Read the file (once, before the first add); the folders, newest first. */
  async load(): Promise<string[]> {
    if (this.file === null) return this.projects()
    try {
      this.list = parseRecent(await fsp.readFile(this.file, 'utf8'))
    } catch {
      this.list = []
    }
    return this.projects()
  }

  /** Call `listener` whenever the list changes (the desktop app rebuilds its Open Recent menu); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The folders, newest first. */
  projects(): string[] {
    return [...this.list]
  }

  /** The list as the UI shows it, each folder checked for its project now. */
  entries(): RecentProject[] {
    return this.list.map(describeRecent)
  }

  /** The newest listed project that is still there, or undefined: what a fresh start reopens. */
  latestExisting(): string | undefined {
    return this.list.find((dir) => describeRecent(dir).exists)
  }

  /** Remember `dir` as the latest project; resolves once it is on disk. Rewrites nothing if it already was the latest. */
  add(dir: string): Promise<void> {
    if (this.list[0] === dir) return this.writing
    this.list = withRecent(this.list, dir)
    return this.save()
  }

  /** Drop `dir` from the list (nothing happens to the folder); false if it was not listed. */
  async forget(dir: string): Promise<boolean> {
    if (!this.list.includes(dir)) return false
    this.list = this.list.filter((listed) => listed !== dir)
    await this.save()
    return true
  }

  /** Resolves once every change so far is on disk (or has failed): the studio waits for it before it exits. */
  settled(): Promise<void> {
    return this.writing.catch(() => undefined)
  }

  private save(): Promise<void> {
    for (const listener of this.listeners) listener()
    const file = this.file
    if (file === null) return Promise.resolve()
    const text = `${JSON.stringify({ projects: this.list }, null, 2)}\n`
    // A failed write (reported to this caller) must not stop the next one.
    this.writing = this.writing.catch(() => undefined).then(() => writeAtomically(file, text))
    return this.writing
  }
}

// A crash mid-write must not leave half a file: write beside it, then rename over it.
async function writeAtomically(file: string, text: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  await fsp.writeFile(temp, text, 'utf8')
  await fsp.rename(temp, file)
}
