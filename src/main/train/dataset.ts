// Which photos a run trains on and which it evaluates on, and their boxes as the detector wants them: normalised
// corners and 1-based class indices in the run's class order. Read once when the run starts, so later edits in the
// Review page do not change a run under way.
import type { Corners } from '../../shared/boxes.js'
import type { Split, SplitCounts, TrainSettings } from '../../shared/api.js'
import type { Store } from '../store/index.js'
import { tagClasses } from '../classifier/index.js'

export interface TrainImage {
  id: number
  path: string
  sha256: string
  /** Size after EXIF orientation: the frame the store's boxes are in. */
  width: number
  height: number
  boxes: Corners[]
  /** 1-based class index per box (0 is the model's background). */
  labels: number[]
  /** A classifier's class of the whole photo, 0-based in the run's classes (a tag's: 0 not set, 1 set); absent for a detector. */
  classIndex?: number
}

export interface Dataset {
  classes: string[]
  train: TrainImage[]
  val: TrainImage[]
  /** True when the project had no labelled val photos and a tenth of the labelled photos was held out instead. */
  heldOut: boolean
}

/** A candidate photo as the store has it, before the split rules. */
export interface LabelledPhoto extends TrainImage {
  split: Split
}

/** The share of labelled photos held out for evaluation when the project has no val photos. */
export const HOLD_OUT_FRACTION = 0.1

/** Too few labelled photos to train at all; the message says what to do. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DatasetError'
  }
}

/**
 * A box in photo pixels (top-left x, y, size w × h) as normalised corners, clipped to the photo; null if nothing of it
 * is left inside.
 */
export function toCorners(box: { x: number; y: number; w: number; h: number }, width: number, height: number): Corners | null {
  const clip = (v: number) => Math.min(1, Math.max(0, v))
  const corners: Corners = [clip(box.x / width), clip(box.y / height), clip((box.x + box.w) / width), clip((box.y + box.h) / height)]
  return corners[2] > corners[0] && corners[3] > corners[1] ? corners : null
}

/** How many of `train` labelled photos a run holds out to evaluate on when no labelled photo is in val. */
export const heldOutCount = (train: number) => (train < 2 ? 0 : Math.max(1, Math.round(train * HOLD_OUT_FRACTION)))

/** The project's labelled photos per split under a label choice, as a run would split them (counted in SQL). */
export function splitCounts(store: Store, labels: TrainSettings['labels']): SplitCounts {
  const counts = store.images.labelledBySplit(labels)
  return { ...counts, heldOut: counts.val > 0 ? 0 : heldOutCount(counts.train) }
}

const photoCount = (n: number, what: string) => `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`

/**
 * Why these counts cannot train, naming the split that is short and what to do; null when they can. The test split is
 * the usual surprise: its photos are labelled, but a run never touches them.
 */
export function refusal(counts: Record<Split, number>, labels: TrainSettings['labels']): string | null {
  const which = labels === 'reviewed' ? 'reviewed photo' : 'labelled photo'
  const fix =
    labels === 'reviewed'
      ? 'Review photos in the train split (the Review page can show that split only), or train on all labels'
      : 'Label photos in the train split: kindle them, import labels for them or review them (the Review page can show ' +
        'that split only). A photo’s split is fixed by its file name: about 7 in 10 photos you import land in train'
  if (counts.train === 0) {
    const elsewhere = [
      counts.val > 0 ? `${photoCount(counts.val, which)} ${counts.val === 1 ? 'is' : 'are'} in val, which only evaluates` : '',
      counts.test > 0 ? `${photoCount(counts.test, which)} ${counts.test === 1 ? 'is' : 'are'} in test, which is kept for final evaluation` : '',
    ].filter(Boolean)
    const why = elsewhere.length > 0 ? elsewhere.join('; ') : `the project has no ${which}s yet`
    return `no ${which}s in the train split (${why}). ${fix}`
  }
  if (counts.train === 1 && counts.val === 0) {
    return (
      `only 1 ${which} in the train split and none in val: a run needs photos to learn from and one to evaluate on. ` +
      fix.replace('Label photos in the train split', 'Label more photos in the train or val split')
    )
  }
  return null
}

/**
 * The split rules: `val` photos evaluate, `train` photos train, `test` photos are kept out of both (they are for a final
 * score). With no labelled val photo, a fixed tenth of the train photos (the first by sha256, at least one) evaluates
 * instead: content-addressed, so the same photos are held out on every run and every machine.
 */
export function splitPhotos(photos: readonly LabelledPhoto[]): { train: TrainImage[]; val: TrainImage[]; heldOut: boolean } {
  const strip = ({ split: _split, ...image }: LabelledPhoto): TrainImage => image
  const val = photos.filter((p) => p.split === 'val')
  const train = photos.filter((p) => p.split === 'train')
  if (val.length > 0) return { train: train.map(strip), val: val.map(strip), heldOut: false }
  const bySha = [...train].sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0))
  const n = heldOutCount(train.length)
  const held = new Set(bySha.slice(0, n).map((p) => p.id))
  return {
    train: train.filter((p) => !held.has(p.id)).map(strip),
    val: train.filter((p) => held.has(p.id)).map(strip),
    heldOut: true,
  }
}

/**
 * The project's labelled photos. `all`: every photo with a box (kindled, human or imported — never a model's
 * `predicted` one) plus reviewed photos without any (a person said there is no face: a true negative). `reviewed`:
 * reviewed photos only, with or without boxes.
 */
export function labelledPhotos(store: Store, labels: TrainSettings['labels'], classOrder: readonly number[] | BoxLabeller): LabelledPhoto[] {
  const index = new Map(typeof classOrder === 'function' ? [] : classOrder.map((id, i) => [id, i + 1]))
  const labelOf: BoxLabeller = typeof classOrder === 'function' ? classOrder : (classId) => index.get(classId)
  const photos: LabelledPhoto[] = []
  for (const r of store.images.withLabels()) {
    if (labels === 'reviewed' ? !r.reviewed : r.boxes.length === 0 && !r.reviewed) continue
    const boxes: Corners[] = []
    const classes: number[] = []
    for (const [classId, x, y, w, h, attributes] of r.boxes) {
      const corners = toCorners({ x, y, w, h }, r.width, r.height)
      const label = labelOf(classId, attributes ?? {})
      if (!corners || label === undefined) continue
      boxes.push(corners)
      classes.push(label)
    }
    photos.push({ id: r.id, path: r.path, sha256: r.sha256, width: r.width, height: r.height, split: r.split, boxes, labels: classes })
  }
  return photos
}

/** A stored box's 1-based class in the run, from its project class and attributes; undefined: not in the run. */
export type BoxLabeller = (classId: number, attributes: Record<string, { value?: unknown }>) => number | undefined

/** Which classes a run trains and how the project's boxes become them: TrainSettings' `classes` and `classMap`. */
export type ClassChoice = Pick<TrainSettings, 'classes' | 'classMap'>

/**
 * The run's class names and the labeller that gives each box its class: a box of a class some run class is made from
 * (classMap) whose attribute is true becomes that class, and otherwise keeps its own if the run has it. Throws a
 * DatasetError naming a class the project cannot supply.
 */
export function classLabeller(
  projectClasses: readonly { id: number; name: string }[],
  choice: ClassChoice = {},
): { classes: string[]; labeller: BoxLabeller } {
  const map = choice.classMap ?? {}
  const projectNames = projectClasses.map((c) => c.name)
  const classes = choice.classes ?? [...projectNames, ...Object.keys(map).filter((c) => !projectNames.includes(c))]
  const idOf = new Map(projectClasses.map((c) => [c.name, c.id]))
  const known = projectClasses.map((c) => c.name).join(', ') || 'none'
  for (const name of Object.keys(map)) {
    if (!classes.includes(name))
      throw new DatasetError(`the class map makes ${name}, which is not one of the run's classes (${classes.join(', ')})`)
  }
  const twice = classes.find((c, i) => classes.indexOf(c) !== i)
  if (twice) throw new DatasetError(`class ${twice} is listed twice`)
  for (const name of classes) {
    const from = map[name]?.from
    if (from !== undefined && !idOf.has(from)) {
      throw new DatasetError(`${name} is made from ${from} boxes, but the project has no class ${from} (its classes: ${known})`)
    }
    if (from === undefined && !idOf.has(name)) {
      throw new DatasetError(
        `the project has no class ${name} (its classes: ${known}); add it, or make it from a class's attribute ` +
          `(e.g. --from-attribute ${name}=face+smiling)`,
      )
    }
  }
  const own = new Map(classes.filter((c) => idOf.has(c)).map((c) => [idOf.get(c)!, classes.indexOf(c) + 1]))
  const derived = new Map<number, { attribute: string; label: number }[]>()
  classes.forEach((name, i) => {
    const m = map[name]
    if (!m) return
    const id = idOf.get(m.from)!
    derived.set(id, [...(derived.get(id) ?? []), { attribute: m.attribute, label: i + 1 }])
  })
  const labeller: BoxLabeller = (classId, attributes) => {
    for (const d of derived.get(classId) ?? []) if (attributes[d.attribute]?.value === true) return d.label
    return own.get(classId)
  }
  return { classes, labeller }
}

/**
 * The run's data: its classes (the project's now, in their key order, unless the settings name them), its labelled
 * photos, split. A class made from an attribute that no train photo's box has is refused: the run could not learn it.
 */
export function loadDataset(store: Store, labels: TrainSettings['labels'], choice: ClassChoice = {}): Dataset {
  const projectClasses = store.classes()
  if (projectClasses.length === 0) throw new DatasetError('the project has no classes: add one (e.g. "face") before training')
  const { classes, labeller } = classLabeller(projectClasses, choice)
  const photos = labelledPhotos(store, labels, labeller)
  const bySplit: Record<Split, number> = { train: 0, val: 0, test: 0 }
  for (const p of photos) bySplit[p.split]++
  const refused = refusal(bySplit, labels)
  if (refused) throw new DatasetError(refused)
  const { train, val, heldOut } = splitPhotos(photos)
  for (const [name, m] of Object.entries(choice.classMap ?? {})) {
    const label = classes.indexOf(name) + 1
    if (!train.some((p) => p.labels.includes(label))) {
      throw new DatasetError(
        `no ${m.from} box in the train split has ${m.attribute} true, so there is no ${name} to learn: ` +
          `kindle the photos with the attribute first (e.g. kindling kindle --smile)`,
      )
    }
  }
  return { classes, train, val, heldOut }
}

/** The tag layers a classifier learns from: a person's only for `reviewed`, else the top of a person's, a label file's and kindling's. */
const tagSources = (labels: TrainSettings['labels']) =>
  labels === 'reviewed' ? (['human'] as const) : (['human', 'imported', 'kindled'] as const)

/** The photos a classifier of `tag` would learn from and evaluate on, per split (`train.counts` with a tag). */
export function tagSplitCounts(store: Store, tag: string, labels: TrainSettings['labels']): SplitCounts {
  const counts = { train: 0, val: 0, test: 0 }
  for (const p of store.tagTable.labelledPhotos(tag, tagSources(labels))) counts[p.split]++
  return { ...counts, heldOut: counts.val > 0 ? 0 : heldOutCount(counts.train) }
}

/**
 * A classifier's data: the photos with a `tag` label (set or not), each of class 1 (set) or 0 (not), under the split
 * rules of a detector's (train trains, val evaluates, test is never touched). Refused, saying what to do, when no photo
 * has the tag, when train or val is short, or when the train photos are all of one class (nothing to tell apart).
 */
export function loadTagDataset(store: Store, tag: string, labels: TrainSettings['labels']): Dataset {
  const classes = tagClasses(tag)
  const photos: LabelledPhoto[] = store.tagTable.labelledPhotos(tag, tagSources(labels)).map((p) => ({
    id: p.id,
    path: p.path,
    sha256: p.sha256,
    width: p.width,
    height: p.height,
    split: p.split,
    boxes: [],
    labels: [],
    classIndex: p.value ? 1 : 0,
  }))
  const which = (n: number) =>
    `${n.toLocaleString('en')} ${n === 1 ? 'photo' : 'photos'} ${labels === 'reviewed' ? `a person tagged ${tag}` : `with a ${tag} tag`}`
  const how =
    labels === 'reviewed'
      ? `Set ${tag} (or not) on photos in Review, or train on all tags`
      : `Tag photos ${tag} or not: in Review, by importing a CSV with a ${tag} column, or by kindling (kindling kindle --smile tags smiling)`
  if (photos.length === 0) {
    const names = store.tagTable.names()
    throw new DatasetError(`no ${which(1).replace(/^1 /, '')} (set or not) yet; the project's tags: ${names.join(', ') || 'none'}. ${how}`)
  }
  const bySplit: Record<Split, number> = { train: 0, val: 0, test: 0 }
  for (const p of photos) bySplit[p.split]++
  if (bySplit.train === 0 || (bySplit.train === 1 && bySplit.val === 0)) {
    throw new DatasetError(
      `${which(bySplit.train)} in the train split (${bySplit.val} in val, which only evaluates; ${bySplit.test} in ` +
        `test, which is kept for final evaluation): a run needs photos to learn from and one to evaluate on. ${how}`,
    )
  }
  const { train, val, heldOut } = splitPhotos(photos)
  for (const [c, name] of classes.entries()) {
    if (!train.some((p) => p.classIndex === c)) {
      throw new DatasetError(
        `every train photo ${labels === 'reviewed' ? `a person tagged ${tag}` : `with a ${tag} tag`} is ${c === 1 ? 'not ' : ''}${tag}: ` +
          'a classifier needs photos of both ' +
          `(${classes.join(' and ')}) to tell them apart; no train photo is ${name}`,
      )
    }
  }
  return { classes, train, val, heldOut }
}
