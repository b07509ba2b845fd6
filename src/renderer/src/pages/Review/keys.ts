// The editor's keyboard map, in one place so the cheat sheet on screen can never disagree with what the keys do.

export type ReviewAction =
  | 'next'
  | 'previous'
  | 'nextBox'
  | 'accept'
  | 'delete'
  | 'acceptBox'
  | 'smiling'
  | 'tagSmiling'
  | 'tag'
  | 'undo'
  | 'redo'
  | 'deselect'
  | 'hide'
  | 'fit'
  | 'zoomToBox'
  | 'zoomIn'
  | 'zoomOut'
  | 'pan'
  | 'addClass'

export interface KeyHelp {
  keys: string
  what: string
}

export const CHEAT_SHEET: KeyHelp[] = [
  { keys: 'Drag', what: 'draw a box; drag a box to move it, a corner to resize' },
  { keys: '→ / D', what: 'next photo' },
  { keys: '← / A', what: 'previous photo' },
  { keys: 'Tab', what: 'next box (Shift: previous)' },
  { keys: 'Enter', what: 'accept photo and go on' },
  { keys: '1–9', what: 'class of the selected box (or of new boxes)' },
  { keys: 'N', what: 'add a class' },
  { keys: 'Y', what: 'accept the selected box as it is' },
  { keys: 'S', what: 'toggle smiling (the selected face)' },
  { keys: 'M', what: 'toggle the photo’s smiling tag' },
  { keys: 'T', what: 'tag the photo (type a tag name)' },
  { keys: 'Delete', what: 'delete the selected box' },
  { keys: 'Ctrl+Z', what: 'undo' },
  { keys: 'Ctrl+Shift+Z', what: 'redo' },
  { keys: 'H (hold)', what: 'hide boxes' },
  { keys: 'Wheel / + −', what: 'zoom (around the pointer)' },
  { keys: 'Space+drag', what: 'pan (or drag with the middle button)' },
  { keys: 'Z', what: 'zoom to the selected box (Tab then follows)' },
  { keys: '0 / F', what: 'fit the photo' },
  { keys: 'Esc', what: 'clear the selection' },
]

/** The action a key press asks for, a class number (1–9), or null for keys the editor leaves alone. */
export function actionFor(e: {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}): ReviewAction | { classNumber: number } | null {
  const mod = e.ctrlKey || e.metaKey
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  if (mod && key === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (mod && key === 'y') return 'redo'
  if (mod || e.altKey) return null
  switch (key) {
    case 'ArrowRight':
    case 'd':
      return 'next'
    case 'ArrowLeft':
    case 'a':
      return 'previous'
    case 'Tab':
      return 'nextBox'
    case 'Enter':
      return 'accept'
    case 'Delete':
    case 'Backspace':
      return 'delete'
    case 's':
      return 'smiling'
    case 'm':
      return 'tagSmiling'
    case 't':
      return 'tag'
    case 'y':
      return 'acceptBox'
    case 'h':
      return 'hide'
    case 'Escape':
      return 'deselect'
    case 'z':
      return 'zoomToBox'
    case '0':
    case 'f':
      return 'fit'
    case '+':
    case '=':
      return 'zoomIn'
    case '-':
      return 'zoomOut'
    case ' ':
      return 'pan'
    case 'n':
      return 'addClass'
  }
  return /^[1-9]$/.test(key) ? { classNumber: Number(key) } : null
}
