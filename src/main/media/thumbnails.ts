// Thumbnails live in the project folder, named by content hash (so a photo imported twice shares one), sharded into
// 256 folders so no folder grows to 100,000 entries.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { readPhoto } from './photo.js'

export const THUMBNAIL_DIR = 'thumbnails'

export class ThumbnailCache {
  readonly root: string

  constructor(projectDir: string) {
    this.root = path.join(projectDir, THUMBNAIL_DIR)
  }

  pathFor(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.webp`)
  }

  async write(sha256: string, webp: Buffer): Promise<void> {
    const file = this.pathFor(sha256)
    await fs.mkdir(path.dirname(file), { recursive: true })
    // Write then rename: a crash never leaves a half-written thumbnail that would be served as is. The temporary
    // name is unique because two copies of one photo, imported side by side, write the same thumbnail at once.
    const tmp = `${file}.${randomUUID()}.tmp`
    await fs.writeFile(tmp, webp)
    await fs.rename(tmp, file)
  }

  /** The thumbnail, rendered again from the photo if the cache lost it (someone cleaned the folder). */
  async read(sha256: string, photoPath: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathFor(sha256))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      const { thumbnail } = await readPhoto(photoPath)
      await this.write(sha256, thumbnail)
      return thumbnail
    }
  }
}
