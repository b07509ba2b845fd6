// The Library grid's requests: a page of the project's images, and the boxes drawn over their thumbnails.
import { thumbnailBoxes } from '../kindle/index.js'
import type { Handlers, StudioContext } from '../studio.js'

type MediaMethod = 'images.page' | 'images.boxes'

export function mediaHandlers(ctx: StudioContext): Pick<Handlers, MediaMethod> {
  return {
    'images.page': (p) => ({ ...ctx.requireStore().page(p), offset: p.offset }),
    'images.boxes': ({ ids }) => ({ boxes: thumbnailBoxes(ctx.requireStore(), ids) }),
  }
}
