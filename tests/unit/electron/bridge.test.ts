import { describe, expect, it } from 'vitest'
import { bridgedErrorMessage, parsePhotoUrl, parseThumbnailUrl, photoUrl, thumbnailUrl } from '../../../src/main/electron/bridge.js'

const sha = 'a3f1c09be27d4f58aa0e6d1b2c3d4e5f60718293a4b5c6d7e8f90123456789ab'

describe('thumbnail URLs', () => {
  it('name the image by id and a prefix of its content hash, and parse back to the id', () => {
    const url = thumbnailUrl({ id: 42, sha256: sha })
    expect(url).toBe('kindling://thumbnails/42?v=a3f1c09be27d4f58')
    expect(parseThumbnailUrl(url)).toBe(42)
  })

  it('parse without the version too', () => {
    expect(parseThumbnailUrl('kindling://thumbnails/7')).toBe(7)
  })

  it.each([
    'kindling://thumbnails/0',
    'kindling://thumbnails/-1',
    'kindling://thumbnails/1.5',
    'kindling://thumbnails/abc',
    'kindling://thumbnails/',
    'kindling://thumbnails/..%2F13',
    'kindling://thumbnails/012',
    'kindling://thumbnails/1/2',
    'kindling://thumbnails/99999999999999999',
    'kindling://images/12',
    'http://thumbnails/12',
    'file:///thumbnails/12',
    'not a url',
  ])('refuse %s', (url) => {
    expect(parseThumbnailUrl(url)).toBeNull()
  })
})

describe('errors crossing the context bridge', () => {
  it('keep a validation message as it is: it already starts with the field', () => {
    expect(bridgedErrorMessage({ message: 'params.dir: must not be empty', field: 'params.dir' })).toBe('params.dir: must not be empty')
  })

  it('carry the field as a prefix when the message does not name it', () => {
    expect(bridgedErrorMessage({ message: 'folder not found: /photos', field: 'params.dir' })).toBe('params.dir: folder not found: /photos')
  })

  it('leave messages about no field alone', () => {
    expect(bridgedErrorMessage({ message: 'no project is open: open a project folder or create the demo' })).toBe(
      'no project is open: open a project folder or create the demo',
    )
  })
})

describe('full-photo URLs', () => {
  it('name the image, and are never mistaken for thumbnails (or the other way round)', () => {
    const image = { id: 42, sha256: 'c'.repeat(64) }
    expect(photoUrl(image)).toBe(`kindling://photos/42?v=${'c'.repeat(16)}`)
    expect(parsePhotoUrl(photoUrl(image))).toBe(42)
    expect(parseThumbnailUrl(photoUrl(image))).toBeNull()
    expect(parsePhotoUrl(thumbnailUrl(image))).toBeNull()
  })
})
