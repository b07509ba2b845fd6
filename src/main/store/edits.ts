// A person's edits — boxes drawn, changed or deleted, photos reviewed, classes added, changed or deleted, photos' tags
// set or cleared — each written
// with its row in the edit log (`edits`), in one transaction, so it can be undone and redone, even after a restart.
// Machine labels (kindled, predicted, imported) are bulk data and go to the tables directly, unlogged.
import type { ClassInfo, Edit, ReviewBox } from '../../shared/api.js'
import type { BoxChange, BoxRow, BoxStore, NewBox } from './boxes.js'
import type { ClassStore } from './classes.js'
import type { ImageStore } from './images.js'
import type { Statements } from './statements.js'
import { newTagRow, type TagRow, type TagStore } from './tags.js'

export type EditAction = Edit['action']
export type ClassEditAction = Extract<EditAction, `class.${string}`>

/**
 * An undo or redo the store will not do because it would break the labels (a class that boxes use would go away, or a
 * class would come back under an id or a name another class has taken since). It changes nothing: the data and the
 * undo and redo stacks stay as they were.
 */
export class EditRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EditRefused'
  }
}

/**
 * A row of the log. `before` and `after` are JSON of what the edit changed, as the tables hold it: a box row
 * (BoxRow), a person's tag row (TagRow), a class (ClassInfo) or `{ reviewed_at }`; null for the side where it did not exist.
 */
interface LoggedEdit extends Edit {
  before: string | null
  after: string | null
}

const isClassEdit = (action: EditAction): action is ClassEditAction => action.startsWith('class.')

/** How a refusal names the step: "cannot undo adding class "cat": …". */
const CLASS_STEP: Record<ClassEditAction, string> = { 'class.add': 'adding', 'class.update': 'changing', 'class.delete': 'deleting' }

const EDIT_COLUMNS = 'id, image_id AS imageId, action, before, after'

export class EditLog {
  constructor(
    private readonly sql: Statements,
    private readonly images: ImageStore,
    private readonly boxes: BoxStore,
    private readonly classes: ClassStore,
    private readonly tags: TagStore,
  ) {}

  /** Add a box; a human one is logged, a machine label is not. */
  addBox(b: NewBox, now = Date.now()): ReviewBox {
    return this.sql.transaction(() => {
      const id = this.boxes.add(b, now)
      if (b.source === 'human') this.log('box.add', b.imageId, null, this.boxes.row(id)!, now)
      return this.boxes.get(id)!
    })
  }

  /** A person changes a box: it becomes a human box (its teacher provenance stays, to show where it came from). */
  updateBox(id: number, change: BoxChange, now = Date.now()): ReviewBox {
    return this.sql.transaction(() => {
      const before = this.requireBox(id)
      const after: BoxRow = {
        ...before,
        class_id: change.classId ?? before.class_id,
        x: change.x ?? before.x,
        y: change.y ?? before.y,
        w: change.w ?? before.w,
        h: change.h ?? before.h,
        attributes: change.attributes ? JSON.stringify(change.attributes) : before.attributes,
        source: 'human',
        updated_at: now,
      }
      this.boxes.update(after)
      this.log('box.update', before.image_id, before, after, now)
      return this.boxes.get(id)!
    })
  }

  deleteBox(id: number, now = Date.now()): void {
    this.sql.transaction(() => {
      const before = this.requireBox(id)
      this.boxes.delete(id)
      this.log('box.delete', before.image_id, before, null, now)
    })
  }

  /** Mark an image reviewed (or not): a person has checked every box on it. */
  setReviewed(imageId: number, reviewed: boolean, now = Date.now()): void {
    this.sql.transaction(() => {
      const reviewedAt = this.images.reviewedAt(imageId)
      if (reviewedAt === undefined) throw new Error(`no image with id ${imageId}`)
      const after = { reviewed_at: reviewed ? now : null }
      this.images.setReviewedAt(imageId, after.reviewed_at)
      this.log('image.review', imageId, { reviewed_at: reviewedAt }, after, now)
    })
  }

  /**
   * A person says a photo's tag is (or is not) set: their layer of it, logged for undo. Saying what their layer already
   * says is no edit.
   */
  setTag(imageId: number, name: string, value: boolean, now = Date.now()): void {
    this.sql.transaction(() => {
      if (this.images.reviewedAt(imageId) === undefined) throw new Error(`no image with id ${imageId}`)
      const before = this.tags.row(imageId, name, 'human') ?? null
      if (before && (before.value === 1) === value) return
      const after: TagRow = before
        ? { ...before, value: value ? 1 : 0, updated_at: now }
        : newTagRow({ imageId, name, value, source: 'human' }, now)
      this.tags.delete(imageId, name, 'human')
      this.tags.insert(after)
      this.log('tag.set', imageId, before, this.tags.row(imageId, name, 'human')!, now)
    })
  }

  /** A person takes back what they said of a photo's tag (logged); a tag they never set is no edit. */
  clearTag(imageId: number, name: string, now = Date.now()): void {
    this.sql.transaction(() => {
      const before = this.tags.row(imageId, name, 'human')
      if (!before) return
      this.tags.delete(imageId, name, 'human')
      this.log('tag.clear', imageId, before, null, now)
    })
  }

  /** A new class at the end of the key order, logged for undo with it. */
  addClass(name: string, color?: string, now = Date.now()): ClassInfo {
    return this.sql.transaction(() => {
      const row = this.classes.create(name, color)
      this.log('class.add', null, null, row, now)
      return row
    })
  }

  /** Rename or recolour a class, logged for undo. A change to what it already is is no edit: nothing to undo. */
  updateClass(id: number, change: { name?: string; color?: string }, now = Date.now()): ClassInfo | undefined {
    return this.sql.transaction(() => {
      const before = this.classes.get(id)
      if (!before) return undefined
      const after: ClassInfo = { ...before, name: change.name ?? before.name, color: change.color ?? before.color }
      if (after.name === before.name && after.color === before.color) return before
      this.classes.update(after)
      this.log('class.update', null, before, after, now)
      return after
    })
  }

  /** Delete a class, logged for undo (its row comes back with its id, so boxes in older edits still point at it). */
  deleteClass(id: number, now = Date.now()): void {
    this.sql.transaction(() => {
      const before = this.classes.get(id)
      if (!before) return
      this.removeClass(id)
      this.log('class.delete', null, before, null, now)
    })
  }

  /** Undo the latest edit that is not undone. Returns it, or undefined when there is nothing to undo. */
  undo(now = Date.now()): Edit | undefined {
    return this.sql.transaction(() => {
      const e = this.sql.prepare<[], LoggedEdit>(`SELECT ${EDIT_COLUMNS} FROM edits WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1`).get()
      if (!e) return undefined
      this.apply(e, 'backward')
      this.markUndone(e.id, now)
      return { id: e.id, imageId: e.imageId, action: e.action }
    })
  }

  /** Whether undo and redo have a step to take (the Review page's buttons). */
  status(): { canUndo: boolean; canRedo: boolean } {
    return this.sql
      .prepare<[], { canUndo: number; canRedo: number }>(
        `SELECT EXISTS (SELECT 1 FROM edits WHERE undone_at IS NULL) AS canUndo,
                EXISTS (SELECT 1 FROM edits WHERE undone_at IS NOT NULL) AS canRedo`,
      )
      .all()
      .map((r) => ({ canUndo: r.canUndo === 1, canRedo: r.canRedo === 1 }))[0]
  }

  redo(): Edit | undefined {
    return this.sql.transaction(() => {
      const e = this.sql.prepare<[], LoggedEdit>(`SELECT ${EDIT_COLUMNS} FROM edits WHERE undone_at IS NOT NULL ORDER BY id ASC LIMIT 1`).get()
      if (!e) return undefined
      this.apply(e, 'forward')
      this.markUndone(e.id, null)
      return { id: e.id, imageId: e.imageId, action: e.action }
    })
  }

  private markUndone(id: number, at: number | null) {
    this.sql.prepare<[number | null, number]>('UPDATE edits SET undone_at = ? WHERE id = ?').run(at, id)
  }

  private requireBox(id: number): BoxRow {
    const row = this.boxes.row(id)
    if (!row) throw new Error(`no box with id ${id}`)
    return row
  }

  /** Remove a class with the model's predictions of it: left behind they would point at no class. */
  private removeClass(id: number): void {
    this.boxes.deletePredictionsOfClass(id)
    this.classes.delete(id)
  }

  private log(action: EditAction, imageId: number | null, before: object | null, after: object | null, now: number) {
    this.sql.prepare('DELETE FROM edits WHERE undone_at IS NOT NULL').run() // a new edit ends the redo branch, as in every editor
    this.sql.prepare(`INSERT INTO edits (at, image_id, action, before, after) VALUES (@at, @imageId, @action, @before, @after)`).run({
      at: now,
      imageId,
      action,
      before: before && JSON.stringify(before),
      after: after && JSON.stringify(after),
    })
  }

  private apply(e: LoggedEdit, direction: 'forward' | 'backward') {
    const target = direction === 'forward' ? e.after : e.before
    const state = target ? (JSON.parse(target) as Record<string, unknown>) : null
    if (isClassEdit(e.action)) return this.applyClass(e, direction, state as ClassInfo | null)
    if (e.action === 'image.review') {
      this.images.setReviewedAt(e.imageId!, (state as { reviewed_at: number | null }).reviewed_at)
      return
    }
    if (e.action === 'tag.set' || e.action === 'tag.clear') {
      // A person's layer of one tag: whatever is there now goes, and the logged row (if any) comes back as it was.
      const { image_id, name } = JSON.parse((e.after ?? e.before)!) as TagRow
      this.tags.delete(image_id, name, 'human')
      if (state) this.tags.insert(state as unknown as TagRow)
      return
    }
    const boxId = (JSON.parse((e.after ?? e.before)!) as BoxRow).id!
    this.boxes.delete(boxId)
    if (state) this.boxes.insert(state as unknown as BoxRow)
  }

  /**
   * Put a class back as it was before (or after) a class edit. The log is one stack, so boxes logged after a class was
   * added are undone before the class is; but an import adds boxes and classes without logging, so the class may be in
   * use, or its name or id taken, by now. Then the step is refused (thrown inside the undo or redo transaction, which
   * rolls back) rather than leave boxes pointing at no class or two classes under one name.
   */
  private applyClass(e: LoggedEdit, direction: 'forward' | 'backward', target: ClassInfo | null) {
    const id = (JSON.parse((e.after ?? e.before)!) as ClassInfo).id
    const step = `${direction === 'backward' ? 'undo' : 'redo'} ${CLASS_STEP[e.action as ClassEditAction]}`
    const current = this.classes.get(id)
    if (!target) {
      // Undoing an add or redoing a delete: the class goes.
      const name = current?.name ?? (JSON.parse((e.after ?? e.before)!) as ClassInfo).name
      const used = this.boxes.labelsOfClass(id)
      if (used > 0) {
        throw new EditRefused(
          `cannot ${step} class "${name}": ${used === 1 ? '1 box uses' : `${used} boxes use`} it; ` + 'delete or reclass them first',
        )
      }
      this.removeClass(id)
      return
    }
    const clash = this.classes.list().find((c) => c.id !== id && c.name.toLowerCase() === target.name.toLowerCase())
    if (clash) {
      throw new EditRefused(`cannot ${step} class "${target.name}": there is already a class "${clash.name}"`)
    }
    if (e.action === 'class.update') {
      if (!current) throw new EditRefused(`cannot ${step} class "${target.name}": it no longer exists`)
      this.classes.update(target)
      return
    }
    // Undoing a delete or redoing an add: the class comes back under its own id, which boxes in the log refer to.
    if (current) throw new EditRefused(`cannot ${step} class "${target.name}": its id ${id} is taken by "${current.name}"`)
    this.classes.restore(target)
  }
}
