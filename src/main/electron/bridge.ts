// What the preload and the main process agree on: channel names, thumbnail URLs, and how an error crosses the context
// bridge. Pure, with type imports only, because the sandboxed preload bundles this file and may only require 'electron'.
import type { ApiError } from '../../shared/api.js'

/** The IPC channels between the preload and the main process. */
export const CHANNELS = { request: 'studio:request', event: 'studio:event', pickFolder: 'studio:pickFolder' } as const

export const THUMBNAIL_SCHEME = 'kindling'
type Media = 'thumbnails' | 'photos'

/**
 * `v` is a prefix of the content hash: the id alone could name another project's image, and with the hash in the URL
 * Chromium may cache the response for good.
 */
const mediaUrl = (media: Media, image: { id: number; sha256: string }) =>
  `${THUMBNAIL_SCHEME}://${media}/${image.id}?v=${encodeURIComponent(image.sha256.slice(0, 16))}`

function parseMediaUrl(media: Media, url: string): number | null {
  const parsed = parseUrl(url)
  if (!parsed || parsed.protocol !== `${THUMBNAIL_SCHEME}:` || parsed.hostname !== media) return null
  const match = /^\/([1-9]\d{0,15})$/.exec(parsed.pathname)
  const id = match ? Number(match[1]) : NaN
  return Number.isSafeInteger(id) ? id : null
}

/** The thumbnail of an image. */
export const thumbnailUrl = (image: { id: number; sha256: string }): string => mediaUrl('thumbnails', image)
/** The image id a `kindling://thumbnails/<id>` URL asks for, or null for anything else. */
export const parseThumbnailUrl = (url: string): number | null => parseMediaUrl('thumbnails', url)
/** The full photo, for the Review page. */
export const photoUrl = (image: { id: number; sha256: string }): string => mediaUrl('photos', image)
/** The image id a `kindling://photos/<id>` URL asks for, or null for anything else. */
export const parsePhotoUrl = (url: string): number | null => parseMediaUrl('photos', url)

/**
 * The message of the Error the preload throws. The context bridge copies only an Error's message (custom properties
 * such as `field` are dropped), so the field travels as the message's prefix — the form the dispatcher's validation
 * messages (`params.dir: must not be empty`) already have.
 */
export function bridgedErrorMessage(error: Pick<ApiError, 'message' | 'field'>): string {
  const { message, field } = error
  return field && !message.startsWith(`${field}: `) ? `${field}: ${message}` : message
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}
