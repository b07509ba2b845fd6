// COCO JSON (`instances_*.json` layout): images with `file_name`, annotations with `bbox: [x, y, w, h]` in pixels,
// categories by id. The schemas are evaluation's (the same files are ground truth there), extended with what import
// needs: each image's file name and size. Crowd regions and `ignore` annotations are not object boxes and are skipped.
import { z } from 'zod'
import { CocoGroundTruthFile } from '../eval/index.js'
import { readLabelFile, type LabelFormat } from './format.js'
import { fmt, imagePath, LabelFileError, type LabelImage, type LabelSet, type OutputFile, type SizedLabelSet } from './label-set.js'

const Size = z.number().int().positive().optional()
const CocoImage = CocoGroundTruthFile.shape.images.element.extend({ file_name: z.string(), width: Size, height: Size })
const CocoLabelFile = CocoGroundTruthFile.extend({ images: z.array(CocoImage) })

export function parse(text: string, file: string): LabelSet {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new LabelFileError({ file }, `not valid JSON (${(error as Error).message})`)
  }
  if (Array.isArray(json)) {
    throw new LabelFileError(
      { file },
      'expected COCO labels (an object with images, annotations, categories), got an ' + 'array: is this a detections file?',
    )
  }
  const result = CocoLabelFile.safeParse(json, { error: zodMessage })
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new LabelFileError({ file, field: fieldPath(issue.path) }, issue.message)
  }
  const data = result.data

  const images = new Map<number | string, LabelImage>()
  data.images.forEach((im, i) => {
    const origin = { file, field: `images[${i}]` }
    if (images.has(im.id)) throw new LabelFileError({ file, field: `images[${i}].id` }, `duplicate id ${JSON.stringify(im.id)}`)
    const rel = imagePath(im.file_name, { file, field: `images[${i}].file_name` })
    images.set(im.id, { file: rel, width: im.width, height: im.height, boxes: [], origin })
  })
  const categories = new Map<number, string>()
  data.categories.forEach((c, i) => {
    if (categories.has(c.id)) throw new LabelFileError({ file, field: `categories[${i}].id` }, `duplicate id ${c.id}`)
    if (!c.name.trim()) throw new LabelFileError({ file, field: `categories[${i}].name` }, 'empty class name')
    categories.set(c.id, c.name.trim())
  })
  data.annotations.forEach((a, i) => {
    const image = images.get(a.image_id)
    if (!image) {
      throw new LabelFileError({ file, field: `annotations[${i}].image_id` }, `no image with id ${JSON.stringify(a.image_id)} in images`)
    }
    const className = categories.get(a.category_id)
    if (className === undefined) {
      throw new LabelFileError({ file, field: `annotations[${i}].category_id` }, `no category with id ${a.category_id} in categories`)
    }
    if (a.iscrowd || a.ignore) return
    const [x, y, w, h] = a.bbox
    image.boxes.push({ className, x, y, w, h, origin: { file, field: `annotations[${i}].bbox` } })
  })
  return { images: [...images.values()], classes: [...new Set(categories.values())] }
}

export function write(set: SizedLabelSet): OutputFile[] {
  const categoryId = new Map(set.classes.map((name, i) => [name, i + 1]))
  let annotationId = 0
  const doc = {
    info: { description: 'Exported by Kindling Studio', date_created: new Date().toISOString() },
    images: set.images.map((im, i) => ({ id: i + 1, file_name: im.file, width: im.width, height: im.height })),
    annotations: set.images.flatMap((im, i) =>
      im.boxes.map((b) => {
        const bbox = [b.x, b.y, b.w, b.h].map((n) => Number(fmt(n)))
        return {
          id: ++annotationId,
          image_id: i + 1,
          category_id: categoryId.get(b.className)!,
          bbox,
          area: Number(fmt(bbox[2] * bbox[3])),
          iscrowd: 0,
        }
      }),
    ),
    categories: set.classes.map((name, i) => ({ id: i + 1, name, supercategory: 'none' })),
  }
  return [{ path: 'annotations.json', contents: `${JSON.stringify(doc, null, 1)}\n` }]
}

export const coco: LabelFormat = {
  name: 'coco',
  load: async (labelsPath) => parse(await readLabelFile(labelsPath), labelsPath),
  write,
  written: 'annotations.json',
}

/** `['annotations', 2, 'bbox']` → `annotations[2].bbox`. */
const fieldPath = (p: readonly PropertyKey[]) =>
  p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('')

const article: Record<string, string> = { number: 'a number', int: 'an integer', string: 'a string', array: 'an array', object: 'an object' }

/** Zod's wording rephrased for someone fixing a JSON file by hand ("missing (expected a string)"). */
const zodMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined
  const expected = article[issue.expected] ?? issue.expected
  if (issue.input === undefined) return `missing (expected ${expected})`
  const got =
    issue.input === null
      ? 'null'
      : Array.isArray(issue.input)
        ? 'an array'
        : typeof issue.input === 'string'
          ? JSON.stringify(issue.input)
          : typeof issue.input === 'object'
            ? 'an object'
            : String(issue.input)
  return `expected ${expected}, got ${got}`
}
