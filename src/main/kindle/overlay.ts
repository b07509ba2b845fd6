// The boxes the Library draws over its thumbnails: for the photos on screen only (a page, not the project), in
// fractions of each photo's size so the renderer can lay them over a thumbnail of any size.
import type { ThumbnailBox } from '../../shared/api.js'
import type { Store } from '../store/index.js'

/** At most this many photos per request: a page or two of the grid. */
export const MAX_OVERLAY_IMAGES = 1000

export function thumbnailBoxes(store: Store, ids: number[]): ThumbnailBox[] {
  if (ids.length > MAX_OVERLAY_IMAGES) throw new Error(`asked for the boxes of ${ids.length} photos; at most ${MAX_OVERLAY_IMAGES} at once`)
  if (ids.length === 0) return []
  return store.boxTable.thumbnails(ids)
}
