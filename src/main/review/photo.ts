// The full photo for the Review page, read from where the user keeps it. Sent as stored: browsers apply the EXIF
// orientation themselves, which matches the frame (images.width/height) the boxes are measured in.
import fs from 'node:fs/promises'
import type { Store } from '../store/index.js'

const TYPES: Record<string, string> = { jpeg: 'image/jpeg', jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' }

export interface Photo {
  bytes: Buffer
  contentType: string
}

/** The photo of an image in the open project, or undefined when there is no such image or its file is gone. */
export async function readPhoto(store: Store | null, id: number): Promise<Photo | undefined> {
  const image = store?.image(id)
  if (!image) return undefined
  try {
    return { bytes: await fs.readFile(image.path), contentType: TYPES[image.format] ?? 'application/octet-stream' }
  } catch {
    return undefined // moved or deleted since import: nothing to show, not a server fault
  }
}
