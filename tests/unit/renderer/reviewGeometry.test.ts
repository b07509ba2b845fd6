import { describe, expect, it } from 'vitest'
import { fit, moved, resized, rounded, spanned, toImage } from '../../../src/renderer/src/pages/Review/geometry'
import { actionFor } from '../../../src/renderer/src/pages/Review/keys'

const photo = { width: 1000, height: 500 }

describe('review editor geometry', () => {
  it('maps a point on the displayed photo to image pixels through the displayed size, clamped to the photo', () => {
    const shown = fit(photo, { width: 400, height: 400 })
    expect(shown).toMatchObject({ scale: 0.4, width: 400, height: 200, left: 0, top: 100 })
    expect(toImage({ x: 200, y: 100 }, shown, photo)).toEqual({ x: 500, y: 250 })
    expect(toImage({ x: -20, y: 500 }, shown, photo)).toEqual({ x: 0, y: 500 })
  })

  it('spans a box dragged in any direction', () => {
    expect(spanned({ x: 50, y: 80 }, { x: 10, y: 20 })).toEqual({ x: 10, y: 20, w: 40, h: 60 })
  })

  it('stops a moved box at the edges without shrinking it', () => {
    expect(moved({ x: 900, y: 10, w: 80, h: 40 }, 100, -50, photo)).toEqual({ x: 920, y: 0, w: 80, h: 40 })
  })

  it('resizes from a corner, keeping the opposite corner fixed, and flips past it', () => {
    const box = { x: 100, y: 100, w: 50, h: 50 }
    expect(resized(box, 'se', { x: 200, y: 180 })).toEqual({ x: 100, y: 100, w: 100, h: 80 })
    expect(resized(box, 'nw', { x: 90, y: 95 })).toEqual({ x: 90, y: 95, w: 60, h: 55 })
    expect(resized(box, 'nw', { x: 170, y: 160 })).toEqual({ x: 150, y: 150, w: 20, h: 10 })
  })

  it('rounds to whole pixels inside the photo', () => {
    expect(rounded({ x: 10.4, y: 20.6, w: 30.2, h: 0.1 }, photo)).toEqual({ x: 10, y: 21, w: 31, h: 1 })
    expect(rounded({ x: 995.7, y: 0, w: 10, h: 10 }, photo)).toEqual({ x: 996, y: 0, w: 4, h: 10 })
  })
})

describe('review keys', () => {
  const press = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    actionFor({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods })

  it('maps undo, redo (Ctrl+Shift+Z and Ctrl+Y), class numbers and plain keys', () => {
    expect(press('z', { ctrlKey: true })).toBe('undo')
    expect(press('Z', { ctrlKey: true, shiftKey: true })).toBe('redo')
    expect(press('y', { metaKey: true })).toBe('redo')
    expect(press('3')).toEqual({ classNumber: 3 })
    expect(press('0')).toBe('fit') // not a class: 0 fits the photo, as in most image editors
    expect(press('!')).toBeNull()
    expect(press('ArrowRight')).toBe('next')
    expect(press('Enter')).toBe('accept')
    expect(press('S')).toBe('smiling')
    expect(press('s', { ctrlKey: true })).toBeNull() // the browser's own shortcuts stay the browser's
  })
})
