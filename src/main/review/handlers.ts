// The Review page's requests: the queue, one photo with its boxes, and a person's edits. Each edit is one store
// transaction (box and edit-log row together) that has committed before the handler returns, so the response the UI
// shows as "saved" is never ahead of the disk.
import path from 'node:path'
import { type ClassInfo, type Edit, type ParsedParams, type Result, type ReviewBox, StudioError } from '../../shared/api.js'
import { EditRefused, type Store } from '../store/index.js'
import type { ImageRow } from '../store/index.js'
import type { StudioContext } from '../studio.js'

type ReviewMethod =
  | 'review.queue'
  | 'review.step'
  | 'review.image'
  | 'boxes.add'
  | 'boxes.update'
  | 'boxes.delete'
  | 'images.setReviewed'
  | 'edits.undo'
  | 'edits.redo'
  | 'edits.status'
  | 'classes.add'
  | 'classes.update'
  | 'classes.delete'
  | 'tags.list'
  | 'tags.names'
  | 'tags.set'
  | 'tags.clear'

export type ReviewHandlers = { [M in ReviewMethod]: (params: ParsedParams<M>) => Result<M> }

/**
 * The handlers for the review requests, reading the open project through `requireStore` (it throws when none is open).
 * `projectChanged` runs after every committed edit (once its answer is on its way), so the studio can tell the UI its
 * counts moved (boxes, reviewed).
 */
export function reviewHandlers(ctx: StudioContext): ReviewHandlers {
  const getStore = () => ctx.requireStore()
  const changed = () => ctx.projectChanged()
  const edited = <T>(result: T): T => {
    // The answer first, then the news: the header's counts re-render the whole app, and sent ahead of the answer they
    // would delay the "Saved" the person is waiting for. The edit has committed either way.
    setImmediate(changed)
    return result
  }
  return {
    'review.queue': ({ around, offset, limit, ...query }) => getStore().reviewQueue(query, { around, offset, limit }),
    'review.step': ({ from, direction, limit, ...query }) => {
      const store = getStore()
      if (from !== undefined) requireImage(store, from, 'params.from')
      return { ids: store.queueStep(query, from, direction, limit) }
    },
    'review.image': ({ id }) => {
      const store = getStore()
      const image = requireImage(store, id, 'params.id')
      return { image: summary(image), boxes: store.boxes(id), classes: store.classes(), tags: store.tags(id) }
    },
    'tags.list': ({ imageId }) => {
      const store = getStore()
      requireImage(store, imageId, 'params.imageId')
      return { tags: store.tags(imageId) }
    },
    'tags.names': () => ({ names: getStore().tagTable.names() }),
    'tags.set': ({ imageId, name, value }) => {
      const store = getStore()
      requireImage(store, imageId, 'params.imageId')
      store.setTag(imageId, name, value)
      return edited({ tags: store.tags(imageId) })
    },
    'tags.clear': ({ imageId, name }) => {
      const store = getStore()
      requireImage(store, imageId, 'params.imageId')
      store.clearTag(imageId, name)
      return edited({ tags: store.tags(imageId) })
    },
    'boxes.add': ({ imageId, classId, x, y, w, h, attributes }) => {
      const store = getStore()
      const image = requireImage(store, imageId, 'params.imageId')
      requireClass(store, classId)
      checkInside(image, { x, y, w, h })
      return edited(store.addBox({ imageId, classId, x, y, w, h, attributes, source: 'human' }))
    },
    'boxes.update': ({ id, ...change }) => {
      const store = getStore()
      const box = requireBox(store, id)
      if (change.classId !== undefined) requireClass(store, change.classId)
      // A move sends only x/y: check the box as it will be, not the fields alone.
      checkInside(requireImage(store, box.imageId, 'params.id'), { ...box, ...definedOnly(change) })
      return edited(store.updateBox(id, change))
    },
    'boxes.delete': ({ id }) => {
      const store = getStore()
      requireBox(store, id)
      store.deleteBox(id)
      return edited({ id })
    },
    'images.setReviewed': ({ id, reviewed }) => {
      const store = getStore()
      requireImage(store, id, 'params.id')
      store.setReviewed(id, reviewed)
      return edited({ id, state: store.image(id)!.state })
    },
    'edits.undo': () => edited(editStep(getStore(), (store) => store.undo())),
    'edits.redo': () => edited(editStep(getStore(), (store) => store.redo())),
    'edits.status': () => getStore().edits.status(),
    'classes.add': ({ name, color }) => {
      const store = getStore()
      requireFreeName(store.classes(), name)
      return edited(store.addClass(name, color))
    },
    'classes.update': ({ id, name, color }) => {
      const store = getStore()
      requireClass(store, id, 'params.id')
      if (name !== undefined)
        requireFreeName(
          store.classes().filter((c) => c.id !== id),
          name,
        )
      return edited(store.updateClass(id, { name, color })!)
    },
    'classes.delete': ({ id }) => {
      const store = getStore()
      requireClass(store, id, 'params.id')
      const used = store.boxesOfClass(id)
      if (used > 0) {
        throw new StudioError(
          `params.id: ${used === 1 ? '1 box uses' : `${used} boxes use`} this class; delete or reclass them first`,
          'conflict',
          'params.id',
        )
      }
      store.deleteClass(id)
      return edited({ id })
    },
  }
}

/**
 * One undo or redo step. A class edit changes every photo's labels, so the answer carries the class list as it now is;
 * a step the store refuses (it would leave boxes without their class) is a conflict, like deleting a class in use.
 */
function editStep(store: Store, step: (store: Store) => Edit | undefined): { edit: Edit | null; classes?: ClassInfo[] } {
  let edit: Edit | undefined
  try {
    edit = step(store)
  } catch (error) {
    if (error instanceof EditRefused) throw new StudioError(error.message, 'conflict')
    throw error
  }
  if (!edit) return { edit: null }
  return edit.action.startsWith('class.') ? { edit, classes: store.classes() } : { edit }
}

function requireImage(store: Store, id: number, field: string): ImageRow {
  const image = store.image(id)
  if (!image) throw new StudioError(`${field}: no image with id ${id}`, 'not_found', field)
  return image
}

function requireBox(store: Store, id: number): ReviewBox {
  const box = store.box(id)
  if (!box) throw new StudioError(`params.id: no box with id ${id}`, 'not_found', 'params.id')
  return box
}

function requireClass(store: Store, classId: number, field = 'params.classId'): void {
  if (!store.classes().some((c) => c.id === classId)) {
    throw new StudioError(`${field}: no class with id ${classId}`, 'not_found', field)
  }
}

/** Class names are unique regardless of case: "Face" next to "face" would be two classes no one can tell apart. */
function requireFreeName(others: ClassInfo[], name: string): void {
  const taken = others.find((c) => c.name.toLowerCase() === name.toLowerCase())
  if (taken) throw new StudioError(`params.name: there is already a class "${taken.name}"`, 'conflict', 'params.name')
}

/**
 * Boxes live in the EXIF-oriented photo's pixels; one reaching past an edge would train the detector on padding. The
 * UI clamps while dragging, so this only refuses a client that did not. A little slack absorbs float rounding.
 */
function checkInside(image: ImageRow, box: { x: number; y: number; w: number; h: number }): void {
  const slack = 0.5
  if (box.x + box.w > image.width + slack) {
    throw new StudioError(`params.w: the box reaches past the photo's right edge (${image.width} px)`, 'invalid', 'params.w')
  }
  if (box.y + box.h > image.height + slack) {
    throw new StudioError(`params.h: the box reaches past the photo's bottom edge (${image.height} px)`, 'invalid', 'params.h')
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

function summary(image: ImageRow) {
  const { id, path: p, sha256, width, height, split, state, boxes } = image
  return { id, path: p, name: path.basename(p), sha256, width, height, split, state, boxes }
}
