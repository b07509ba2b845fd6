// Reading COCO ground truth (`instances_*.json` layout) and COCO results-format detections
// (`[{image_id, category_id, bbox: [x, y, w, h], score}, …]`). These are files a user picks, so a bad one is refused
// with one line naming the file and the field, e.g. `preds.json: [3].bbox: expected array of 4 numbers`.
import fs from 'node:fs/promises'
import { z } from 'zod'
import { cornersOf } from '../../shared/boxes.js'
import type { Detection, EvalClass, GroundTruthBox, ImageId } from './evaluate.js'

/** A file that cannot be evaluated, with where in it the problem is (`field` is empty for file-level problems). */
export class CocoFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${reason}`)
    this.name = 'CocoFileError'
  }
}

const isBox = (v: unknown): v is [number, number, number, number] =>
  Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n))

/** COCO boxes are [x, y, width, height] in pixels. A zero size is allowed (it matches nothing); a negative one is a bug. */
const Bbox = z
  .custom<[number, number, number, number]>(isBox, { error: 'expected array of 4 numbers' })
  .refine(([, , w, h]) => w >= 0 && h >= 0, { error: 'width and height must not be negative' })

const ImageIdSchema = z.union([z.number().int(), z.string().min(1)], { error: 'expected an integer or a string id' })
const CategoryId = z.number().int()
/** pycocotools writes 0/1; hand-made files often write booleans. */
const Flag = z.union([z.boolean(), z.literal(0), z.literal(1)], { error: 'expected 0, 1, true or false' }).optional()

export const CocoGroundTruthFile = z.object({
  images: z.array(z.object({ id: ImageIdSchema })),
  annotations: z.array(z.object({ image_id: ImageIdSchema, category_id: CategoryId, bbox: Bbox, iscrowd: Flag, ignore: Flag })),
  categories: z.array(z.object({ id: CategoryId, name: z.string() })),
})

export const CocoResultsFile = z.array(z.object({ image_id: ImageIdSchema, category_id: CategoryId, bbox: Bbox, score: z.number() }))

export interface CocoGroundTruth {
  file: string
  classes: EvalClass[]
  images: Set<ImageId>
  groundTruth: GroundTruthBox[]
}

export function parseCocoGroundTruth(json: unknown, file: string): CocoGroundTruth {
  if (Array.isArray(json)) {
    // The likeliest way to get here is swapping --gt and --pred, so say what the file looks like.
    throw new CocoFileError(
      file,
      '',
      'expected COCO ground truth (an object with images, annotations, categories), ' + 'got an array: is this a detections file?',
    )
  }
  const data = check(CocoGroundTruthFile, json, file)

  const images = new Set<ImageId>()
  data.images.forEach((image, i) => {
    if (images.has(image.id)) throw new CocoFileError(file, `images[${i}].id`, `duplicate id ${show(image.id)}`)
    images.add(image.id)
  })
  const classes: EvalClass[] = []
  data.categories.forEach((c, i) => {
    if (classes.some((k) => k.id === c.id)) throw new CocoFileError(file, `categories[${i}].id`, `duplicate id ${c.id}`)
    classes.push({ id: c.id, name: c.name })
  })
  const groundTruth = data.annotations.map((a, i): GroundTruthBox => {
    if (!images.has(a.image_id)) {
      throw new CocoFileError(file, `annotations[${i}].image_id`, `no image with id ${show(a.image_id)} in images`)
    }
    if (!classes.some((c) => c.id === a.category_id)) {
      throw new CocoFileError(file, `annotations[${i}].category_id`, `no category with id ${a.category_id} in categories`)
    }
    const [x, y, w, h] = a.bbox
    return {
      imageId: a.image_id,
      classId: a.category_id,
      box: cornersOf({ x, y, w, h }),
      crowd: Boolean(a.iscrowd),
      ignore: Boolean(a.ignore),
    }
  })
  return { file, classes, images, groundTruth }
}

/** Detections must refer to images and categories of the ground truth: a mismatch is a mistake, not a zero score. */
export function parseCocoDetections(json: unknown, file: string, gt: CocoGroundTruth): Detection[] {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    throw new CocoFileError(
      file,
      '',
      'expected COCO results (an array of {image_id, category_id, bbox, score}), ' +
        `got an object${'annotations' in json ? ': is this a ground-truth file?' : ''}`,
    )
  }
  const data = check(CocoResultsFile, json, file)
  const categories = gt.classes.map((c) => `${c.id} ${JSON.stringify(c.name)}`).join(', ')
  return data.map((d, i): Detection => {
    if (!gt.images.has(d.image_id)) {
      throw new CocoFileError(file, `[${i}].image_id`, `no image with id ${show(d.image_id)} in ${gt.file}`)
    }
    if (!gt.classes.some((c) => c.id === d.category_id)) {
      throw new CocoFileError(file, `[${i}].category_id`, `no category with id ${d.category_id} in ${gt.file} (it has ${categories || 'none'})`)
    }
    const [x, y, w, h] = d.bbox
    return { imageId: d.image_id, classId: d.category_id, box: cornersOf({ x, y, w, h }), score: d.score }
  })
}

export async function loadCocoGroundTruth(file: string): Promise<CocoGroundTruth> {
  return parseCocoGroundTruth(await readJson(file), file)
}

export async function loadCocoDetections(file: string, gt: CocoGroundTruth): Promise<Detection[]> {
  return parseCocoDetections(await readJson(file), file, gt)
}

async function readJson(file: string): Promise<unknown> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : (error as Error).message
    throw new CocoFileError(file, '', reason)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CocoFileError(file, '', `not valid JSON (${(error as Error).message})`)
  }
}

/** Validate, and turn the first problem into a CocoFileError; one clear line beats a list of knock-on complaints. */
function check<T>(schema: z.ZodType<T>, json: unknown, file: string): T {
  const result = schema.safeParse(json, { error: message })
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw new CocoFileError(file, fieldPath(issue.path), issue.message)
}

/** `['annotations', 2, 'bbox']` → `annotations[2].bbox`; `[3, 'bbox']` → `[3].bbox`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('')
}

const article: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  array: 'an array',
  object: 'an object',
  boolean: 'true or false',
}

/** Zod's wording ("Invalid input: expected number, received undefined") rephrased for someone fixing a JSON file. */
const message: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined
  const expected = article[issue.expected] ?? issue.expected
  if (issue.input === undefined) return `missing (expected ${expected})`
  return `expected ${expected}, got ${describe(issue.input)}`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)
  return String(value)
}

const show = (id: ImageId) => (typeof id === 'string' ? JSON.stringify(id) : String(id))
