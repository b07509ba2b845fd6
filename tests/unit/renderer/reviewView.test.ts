// The Review page's view math and address: zoom around a point, zoom to a box, the zoom keys, and `#review?image=ID`.
import { describe, expect, it } from 'vitest'
import { fit, toImage, zoomedAt, zoomedTo, zoomLimits } from '../../../src/renderer/src/pages/Review/geometry'
import { actionFor, CHEAT_SHEET } from '../../../src/renderer/src/pages/Review/keys'
import { parseHash, reviewHash, reviewImageOf } from '../../../src/renderer/src/state/usePage'

const photo = { width: 1000, height: 500 }
const area = { width: 400, height: 400 }

/** The image pixel under a canvas-area point for a view. */
const under = (view: { scale: number; left: number; top: number }, p: { x: number; y: number }) =>
  toImage({ x: p.x - view.left, y: p.y - view.top }, { width: photo.width * view.scale, height: photo.height * view.scale }, photo)

describe('zoom', () => {
  it('keeps the image pixel under the pointer where it is', () => {
    const fitted = fit(photo, area)
    const at = { x: 130, y: 170 }
    const before = under(fitted, at)
    const zoomed = zoomedAt(fitted, 2.5, at, fitted.scale)
    expect(zoomed.scale).toBeCloseTo(fitted.scale * 2.5)
    const after = under(zoomed, at)
    expect(after.x).toBeCloseTo(before.x)
    expect(after.y).toBeCloseTo(before.y)
  })

  it('stops at the limits: half of fit out, 32× fit (or 16 screen pixels per pixel) in', () => {
    const fitted = fit(photo, area)
    const { min, max } = zoomLimits(fitted.scale)
    expect(zoomedAt(fitted, 0.01, { x: 0, y: 0 }, fitted.scale).scale).toBeCloseTo(min)
    expect(zoomedAt(fitted, 1e6, { x: 0, y: 0 }, fitted.scale).scale).toBeCloseTo(max)
    expect(max).toBe(16)
  })

  it('zooms to a box: centred, its longer side 60 % of the area', () => {
    const box = { x: 600, y: 100, w: 50, h: 25 }
    const v = zoomedTo(box, area, fit(photo, area).scale)
    expect(box.w * v.scale).toBeCloseTo(240)
    expect(v.left + (box.x + box.w / 2) * v.scale).toBeCloseTo(200)
    expect(v.top + (box.y + box.h / 2) * v.scale).toBeCloseTo(200)
  })
})

describe('keys', () => {
  const press = (key: string) => actionFor({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false })
  it('maps the zoom, pan and class keys, and the cheat sheet lists them', () => {
    expect(press('z')).toBe('zoomToBox')
    expect(press('0')).toBe('fit')
    expect(press('F')).toBe('fit')
    expect(press('+')).toBe('zoomIn')
    expect(press('-')).toBe('zoomOut')
    expect(press(' ')).toBe('pan')
    expect(press('n')).toBe('addClass')
    expect(press('9')).toEqual({ classNumber: 9 })
    // Ctrl+Z is still undo, not zoom.
    expect(actionFor({ key: 'z', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false })).toBe('undo')
    const sheet = CHEAT_SHEET.map((k) => k.keys).join(' ')
    for (const k of ['Z', '0 / F', 'Space', 'Wheel', 'N']) expect(sheet).toContain(k)
  })
})

describe('#review?image=ID', () => {
  it('names the page and the photo; plain #review and other pages still work', () => {
    expect(parseHash('#review').page).toBe('review')
    expect(parseHash('#review?image=42').page).toBe('review')
    expect(reviewImageOf('#review?image=42')).toBe(42)
    expect(reviewImageOf(reviewHash(7))).toBe(7)
    expect(reviewImageOf('#review')).toBeNull()
    expect(reviewImageOf('#library?image=42')).toBeNull()
    for (const bad of ['0', '-3', '1.5', 'abc', '', '99999999999999999999']) expect(reviewImageOf(`#review?image=${bad}`)).toBeNull()
    expect(parseHash('#nowhere').page).toBe('library')
    expect(parseHash('').page).toBe('library')
  })
})
