// Thumbnails over `kindling://thumbnails/<id>?v=<hash>` and full photos over `kindling://photos/<id>`: the page gets
// image bytes without file:// access to the disk, and only for images in the open project.
import { protocol } from 'electron'
import type { Studio } from '../studio.js'
import { BadPhotoError } from '../media/index.js'
import { readPhoto } from '../review/index.js'
import { parsePhotoUrl, parseThumbnailUrl, THUMBNAIL_SCHEME } from './bridge.js'

/** Must run before the app is ready: Chromium fixes the set of schemes and their privileges at startup. */
export function registerThumbnailScheme(): void {
  // standard: parsed like http (host + path) and cacheable; secure: allowed in a page without mixed-content warnings.
  protocol.registerSchemesAsPrivileged([{ scheme: THUMBNAIL_SCHEME, privileges: { standard: true, secure: true } }])
}

export function serveThumbnails(studio: Studio): void {
  protocol.handle(THUMBNAIL_SCHEME, async (request) => {
    if (request.method !== 'GET') return text(405, 'method not allowed')
    const photoId = parsePhotoUrl(request.url)
    if (photoId !== null) {
      const photo = await readPhoto(studio.project, photoId)
      if (!photo) return text(404, 'no such photo')
      return new Response(new Uint8Array(photo.bytes.buffer, photo.bytes.byteOffset, photo.bytes.byteLength), {
        headers: { 'content-type': photo.contentType, 'x-content-type-options': 'nosniff' },
      })
    }
    const id = parseThumbnailUrl(request.url)
    if (id === null) return text(404, 'not found')
    let webp: Buffer | undefined
    try {
      webp = await studio.thumbnail(id)
    } catch (error) {
      // The photo moved or broke after import and the cached thumbnail is gone too: nothing to show, not a fault.
      if (error instanceof BadPhotoError) return text(404, `photo unavailable: ${error.message}`)
      console.error(`kindling: thumbnail ${id} failed:`, error)
      return text(500, 'thumbnail failed')
    }
    if (!webp) return text(404, 'no such image')
    // The URL carries the content hash (?v=), so a response for it never goes stale.
    const versioned = new URL(request.url).searchParams.has('v')
    return new Response(new Uint8Array(webp.buffer, webp.byteOffset, webp.byteLength), {
      headers: {
        'content-type': 'image/webp',
        'cache-control': versioned ? 'private, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    })
  })
}

const text = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
