import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { deflateSync as zlibSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { BadPhotoError, DEFAULT_LIMITS, readPhoto } from '../../../src/main/media/index.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

const dir = tempDir()
const file = (name: string, data: Buffer | string) => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, data)
  return p
}

/** A valid PNG header claiming `w`×`h` pixels with almost no data behind it: a decompression bomb's shape. */
function bombPng(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(body.length)
    const typed = Buffer.concat([Buffer.from(type), body])
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc(typed))
    return Buffer.concat([len, typed, sum])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

describe('reading a photo', () => {
  it('reads a real JPEG: size, format, content hash and a thumbnail no larger than 256 px', async () => {
    const p = path.join(dlibFaces, '2008_002079.jpg')
    const { photo, thumbnail } = await readPhoto(p)
    const meta = await sharp(p).metadata()
    expect(photo).toMatchObject({ format: 'jpeg', width: meta.width, height: meta.height, bytes: fs.statSync(p).size })
    expect(photo.sha256).toMatch(/^[0-9a-f]{64}$/)
    const t = await sharp(thumbnail).metadata()
    expect(t.format).toBe('webp')
    expect(Math.max(t.width!, t.height!)).toBe(256)
  })

  it('reads PNG and WebP too', async () => {
    const src = sharp(path.join(dlibFaces, '2008_002079.jpg'))
    for (const format of ['png', 'webp'] as const) {
      const p = file(`photo.${format}`, await src.clone().toFormat(format).toBuffer())
      expect((await readPhoto(p)).photo.format).toBe(format)
    }
  })

  it('applies EXIF orientation: a portrait photo stored sideways is portrait', async () => {
    const landscape = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#468' } })
      .jpeg()
      .withMetadata({ orientation: 6 }) // "rotate 90° clockwise to display"
      .toBuffer()
    const { photo, thumbnail } = await readPhoto(file('sideways.jpg', landscape))
    expect([photo.width, photo.height]).toEqual([300, 400])
    const t = await sharp(thumbnail).metadata()
    expect(t.height!).toBeGreaterThan(t.width!)
  })

  it('refuses a truncated JPEG, naming the problem', async () => {
    const whole = fs.readFileSync(path.join(dlibFaces, '2008_002079.jpg'))
    await expect(readPhoto(file('cut.jpg', whole.subarray(0, whole.length / 2)))).rejects.toThrow(/truncated or corrupt JPEG/)
  })

  it('refuses a text file named like a photo', async () => {
    await expect(readPhoto(file('notes.jpg', 'hello\n'))).rejects.toThrow('not an image (it is a text file)')
  })

  it('refuses a decompression bomb from its header, before decoding a pixel', async () => {
    const p = file('bomb.png', bombPng(60_000, 60_000))
    expect(fs.statSync(p).size).toBeLessThan(2000)
    await expect(readPhoto(p)).rejects.toThrow(/60000×60000 \(3600 MP\), over the 100 MP pixel limit/)
  })

  it('refuses a file over the size limit without reading it', async () => {
    const p = path.join(dlibFaces, '2008_002079.jpg')
    await expect(readPhoto(p, { ...DEFAULT_LIMITS, maxBytes: 1000 })).rejects.toThrow(/over the 0\.0 MB limit|over the/)
  })

  it('refuses a broken link and an empty file with the reason', async () => {
    const link = path.join(dir, 'gone.jpg')
    fs.symlinkSync(path.join(dir, 'nowhere.jpg'), link)
    await expect(readPhoto(link)).rejects.toThrow('cannot read: file not found (moved, or a broken link)')
    await expect(readPhoto(file('empty.jpg', ''))).rejects.toThrow('empty file')
  })

  it('says which formats it takes when given another image format', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer()
    const error = await readPhoto(file('anim.jpg', gif)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadPhotoError)
    expect((error as Error).message).toBe('unsupported format gif: Kindling imports JPEG, PNG and WebP')
  })
})
