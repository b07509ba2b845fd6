import { describe, expect, it } from 'vitest'
import { squareAround } from '../../../src/main/kindle/smile.js'

describe('the crop the expression net sees', () => {
  const image = { width: 200, height: 100 }

  it('is a square of scale × the longer side, centred on the face', () => {
    // A 40×50 box centred at (100, 50): the 1.3× square is 65 px a side.
    expect(squareAround({ x: 80, y: 25, w: 40, h: 50, score: 1 }, 1.3, { width: 400, height: 400 })).toEqual([17, 67, 66, 66])
  })

  it('is clipped to the photo, never empty', () => {
    expect(squareAround({ x: 0, y: 0, w: 40, h: 40, score: 1 }, 1.3, image)).toEqual([0, 0, 46, 46])
    expect(squareAround({ x: 190, y: 90, w: 10, h: 10, score: 1 }, 2, image)).toEqual([85, 185, 15, 15])
    const [y, x, h, w] = squareAround({ x: 500, y: 500, w: 10, h: 10, score: 1 }, 1, image)
    expect([y + h <= 100, x + w <= 200, h >= 1, w >= 1]).toEqual([true, true, true, true])
  })
})
