// A prediction's normalised corners back to photo pixels: the model saw the photo stretched to its input size, so each
// axis scales by the photo's own size (not the input's aspect), clipped to the photo.
import { describe, expect, it } from 'vitest'
import { toPixels } from '../../../src/main/train/predictor.js'

describe('toPixels', () => {
  it('scales x by the width and y by the height, whatever the input size was', () => {
    expect(toPixels([0.25, 0.5, 0.75, 1], 640, 480)).toEqual({ x: 160, y: 240, w: 320, h: 240 })
    expect(toPixels([0, 0, 1, 1], 1920, 1280)).toEqual({ x: 0, y: 0, w: 1920, h: 1280 })
  })

  it('clips to the photo and drops what has less than a pixel left', () => {
    expect(toPixels([-0.1, 0.9, 0.5, 1.2], 100, 100)).toEqual({ x: 0, y: 90, w: 50, h: 10 })
    expect(toPixels([0.5, 0.5, 0.504, 0.9], 100, 100)).toBeNull()
  })
})
