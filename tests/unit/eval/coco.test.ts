import { describe, expect, it } from 'vitest'
import { CocoFileError, fieldPath, parseCocoDetections, parseCocoGroundTruth } from '../../../src/main/eval/coco.js'

const gtJson = () => ({
  info: { description: 'extra keys are fine' },
  images: [{ id: 1, file_name: 'a.jpg', width: 100, height: 80 }, { id: 2 }],
  annotations: [
    { id: 10, image_id: 1, category_id: 1, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0 },
    { id: 11, image_id: 2, category_id: 1, bbox: [0, 0, 50, 50], iscrowd: 1 },
    { id: 12, image_id: 2, category_id: 2, bbox: [5, 5, 10, 10], ignore: true },
  ],
  categories: [
    { id: 1, name: 'face' },
    { id: 2, name: 'smiling' },
  ],
})

const errorOf = (fn: () => unknown): CocoFileError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof CocoFileError) return error
    throw error
  }
  throw new Error('expected a CocoFileError')
}

describe('COCO ground truth', () => {
  it('turns [x, y, w, h] into corners and reads iscrowd and ignore flags', () => {
    const gt = parseCocoGroundTruth(gtJson(), 'gt.json')
    expect(gt.classes).toEqual([
      { id: 1, name: 'face' },
      { id: 2, name: 'smiling' },
    ])
    expect([...gt.images]).toEqual([1, 2])
    expect(gt.groundTruth).toEqual([
      { imageId: 1, classId: 1, box: [10, 20, 40, 60], crowd: false, ignore: false },
      { imageId: 2, classId: 1, box: [0, 0, 50, 50], crowd: true, ignore: false },
      { imageId: 2, classId: 2, box: [5, 5, 15, 15], crowd: false, ignore: true },
    ])
  })

  it('names the file and the field of the first problem', () => {
    const bad = gtJson()
    ;(bad.annotations[1] as { bbox: unknown }).bbox = [0, 0, 50]
    expect(errorOf(() => parseCocoGroundTruth(bad, 'gt.json')).message).toBe('gt.json: annotations[1].bbox: expected array of 4 numbers')
    const noCategories: Record<string, unknown> = gtJson()
    delete noCategories.categories
    expect(errorOf(() => parseCocoGroundTruth(noCategories, 'gt.json')).message).toBe('gt.json: categories: missing (expected an array)')
    const crowdTwo = gtJson()
    ;(crowdTwo.annotations[0] as { iscrowd: unknown }).iscrowd = 2
    expect(errorOf(() => parseCocoGroundTruth(crowdTwo, 'gt.json'))).toMatchObject({
      file: 'gt.json',
      field: 'annotations[0].iscrowd',
      message: 'gt.json: annotations[0].iscrowd: expected 0, 1, true or false',
    })
  })

  it('refuses annotations of unknown images or categories, and duplicate ids', () => {
    const orphan = gtJson()
    orphan.annotations[2].image_id = 7
    expect(errorOf(() => parseCocoGroundTruth(orphan, 'gt.json')).message).toBe('gt.json: annotations[2].image_id: no image with id 7 in images')
    const uncategorised = gtJson()
    uncategorised.annotations[0].category_id = 3
    expect(errorOf(() => parseCocoGroundTruth(uncategorised, 'gt.json')).message).toBe(
      'gt.json: annotations[0].category_id: no category with id 3 in categories',
    )
    const twice = gtJson()
    twice.images[1].id = 1
    expect(errorOf(() => parseCocoGroundTruth(twice, 'gt.json')).message).toBe('gt.json: images[1].id: duplicate id 1')
  })

  it('recognises a detections file passed as ground truth', () => {
    expect(errorOf(() => parseCocoGroundTruth([], 'preds.json')).message).toMatch(
      /^preds\.json: expected COCO ground truth .* is this a detections file\?$/,
    )
  })
})

describe('COCO results-format detections', () => {
  const gt = parseCocoGroundTruth(gtJson(), 'gt.json')
  const good = { image_id: 1, category_id: 1, bbox: [10, 20, 30, 40], score: 0.75 }

  it('reads image, class, corners and score, keeping extra keys out', () => {
    expect(parseCocoDetections([good, { ...good, id: 5, image_id: 2, category_id: 2 }], 'preds.json', gt)).toEqual([
      { imageId: 1, classId: 1, box: [10, 20, 40, 60], score: 0.75 },
      { imageId: 2, classId: 2, box: [10, 20, 40, 60], score: 0.75 },
    ])
    expect(parseCocoDetections([], 'preds.json', gt)).toEqual([])
  })

  it.each([
    [[good, good, good, { ...good, bbox: [1, 2, 3] }], '[3].bbox: expected array of 4 numbers'],
    [[{ ...good, bbox: [1, 2, 3, '4'] }], '[0].bbox: expected array of 4 numbers'],
    [[{ ...good, bbox: [1, 2, -3, 4] }], '[0].bbox: width and height must not be negative'],
    [[{ ...good, score: undefined }], '[0].score: missing (expected a number)'],
    [[{ ...good, score: '0.9' }], '[0].score: expected a number, got "0.9"'],
    [[{ ...good, category_id: 1.5 }], '[0].category_id: expected an integer, got 1.5'],
    [[{ ...good, image_id: null }], '[0].image_id: expected an integer or a string id'],
    [[good, 'face'], '[1]: expected an object, got "face"'],
    [[{ ...good, image_id: 3 }], '[0].image_id: no image with id 3 in gt.json'],
    [[{ ...good, image_id: '1' }], '[0].image_id: no image with id "1" in gt.json'],
    [[{ ...good, category_id: 0 }], '[0].category_id: no category with id 0 in gt.json (it has 1 "face", 2 "smiling")'],
  ])('refuses %j with "%s"', (json, reason) => {
    expect(errorOf(() => parseCocoDetections(json, 'preds.json', gt)).message).toBe(`preds.json: ${reason}`)
  })

  it('recognises a ground-truth file passed as detections', () => {
    expect(errorOf(() => parseCocoDetections(gtJson(), 'gt.json', gt)).message).toMatch(
      /^gt\.json: expected COCO results .* is this a ground-truth file\?$/,
    )
  })
})

describe('fieldPath', () => {
  it('writes paths the way they look in the JSON', () => {
    expect(fieldPath(['annotations', 2, 'bbox'])).toBe('annotations[2].bbox')
    expect(fieldPath([3, 'bbox'])).toBe('[3].bbox')
    expect(fieldPath([])).toBe('')
  })
})
