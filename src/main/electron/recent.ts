// The projects opened lately, newest first, kept in `recent.json` under the app's userData folder so the studio reopens
// where the user left off. The file is a convenience: if it is missing, unreadable or malformed the list is empty and the
// renderer shows its Welcome screen, never an error.
import fs from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'

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

export class RecentProjects {
  private list: string[] = []
  // Writes are chained so two quick opens can't interleave and leave the older one on disk.
  private writing: Promise<void> = Promise.resolve()

  constructor(readonly file: string) {}

  async load(): Promise<string[]> {
    try {
      this.list = parseRecent(await fs.readFile(this.file, 'utf8'))
    } catch {
      this.list = []
    }
    return [...this.list]
  }

  /** Remember `dir` as the latest project; resolves once it is on disk. Rewrites nothing if it already was the latest. */
  add(dir: string): Promise<void> {
    if (this.list[0] === dir) return this.writing
    this.list = withRecent(this.list, dir)
    const text = `${JSON.stringify({ projects: this.list }, null, 2)}\n`
    // A failed write (reported to this caller) must not stop the next one.
    this.writing = this.writing.catch(() => undefined).then(() => writeAtomically(this.file, text))
    return this.writing
  }
}

// A crash mid-write must not leave half a file: write beside it, then rename over it.
async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  await fs.writeFile(temp, text, 'utf8')
  await fs.rename(temp, file)
}
