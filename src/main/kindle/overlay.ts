// The boxes the Library draws over its thumbnails: for the photos on screen only (a page, not the project), in
// fractions of each photo's size so the renderer can lay them over a thumbnail of any size.
import type { ThumbnailBox } from '../../shared/api.js'
import type { Store } from '../store/index.js'

/** At most this many photos per request: a page or two of the grid. */
export const MAX_OVERLAY_IMAGES = 1000

export function thumbnailBoxes(store: Store, ids: number[]): ThumbnailBox[] {
  if (ids.length > MAX_OVERLAY_IMAGES) throw new Error(`asked for the boxes of ${ids.length} photos; at most ${MAX_OVERLAY_IMAGES} at once`)
  if (ids.length === 0) return []
  // One indexed lookup per photo (boxes_by_image); photos with no size recorded yet are left out rather than divided by 0.
  return store.db
    .prepare<[string], ThumbnailBox>(
      `SELECT b.image_id AS imageId, b.x * 1.0 / i.width AS x, b.y * 1.0 / i.height AS y, b.w * 1.0 / i.width AS w,
              b.h * 1.0 / i.height AS h, b.source, b.score
       FROM json_each(?) AS j JOIN images i ON i.id = j.value JOIN boxes b ON b.image_id = i.id
       WHERE i.width > 0 AND i.height > 0
       ORDER BY b.image_id, b.id`,
    )
    .all(JSON.stringify(ids))
}
