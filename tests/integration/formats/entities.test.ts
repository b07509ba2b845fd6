// A label file is data someone else may have written: no XML entity in it may make the import read another file on
// the machine. Such a file is refused, and nothing of the other file shows up in the error or in the project.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { importLabels, LabelFileError, type FormatName } from '../../../src/main/formats/index.js'
import type { Store } from '../../../src/main/store/index.js'
import { newStore, photoFolder, snapshot } from './helpers.js'

const stores: Store[] = []
afterEach(() => stores.splice(0).forEach((s) => s.close()))

const SECRET = 'kindling_secret_4f7a'

interface Case {
  name: string
  format: FormatName
  /** The label file, given the secret file's URL and an external DTD's URL that declares &x; as that file. */
  labels: (secret: string, dtd: string) => string
  /** What the message must say after the file name. */
  message: string
}

const box = `<bndbox><xmin>10</xmin><ymin>10</ymin><xmax>50</xmax><ymax>50</ymax></bndbox>`
const vocWith = (doctype: string) =>
  `<?xml version="1.0"?>\n${doctype}\n<annotation>\n<filename>2008_001009.jpg</filename>\n<object><name>&x;</name>${box}</object>\n</annotation>\n`

const cases: Case[] = [
  {
    name: 'VOC: an external entity declared in the DOCTYPE',
    format: 'voc',
    labels: (secret) => vocWith(`<!DOCTYPE annotation [<!ENTITY x SYSTEM "${secret}">]>`),
    message: ':2: not well-formed XML: DOCTYPE with an internal subset is not supported',
  },
  {
    name: 'VOC: an external parameter entity pulling in declarations',
    format: 'voc',
    labels: (_, dtd) => vocWith(`<!DOCTYPE annotation [\n<!ENTITY % p SYSTEM "${dtd}">\n%p;\n]>`),
    message: ':2: not well-formed XML: DOCTYPE with an internal subset is not supported',
  },
  {
    name: 'VOC: an external DTD that declares the entity',
    format: 'voc',
    labels: (_, dtd) => vocWith(`<!DOCTYPE annotation SYSTEM "${dtd}">`),
    message: ':5: not well-formed XML: unknown entity &x;',
  },
  {
    name: 'dlib: an external DTD that declares the entity, used in an attribute',
    format: 'dlib',
    labels: (_, dtd) =>
      `<?xml version='1.0'?>\n<!DOCTYPE dataset SYSTEM "${dtd}">\n<dataset><images>\n` +
      `<image file='&x;.jpg'><box top='1' left='1' width='20' height='20'/></image>\n</images></dataset>\n`,
    message: ':4: not well-formed XML: unknown entity &x;',
  },
]

describe('XML entities that would read another file', () => {
  it.each(cases.map((c) => [c.name, c]))('%s: refused, and the other file is never read', async (_, c: Case) => {
    const { root, photos } = photoFolder()
    // The secret is a valid class name and photo name, so an expanded entity would be imported without complaint.
    const secret = path.join(root, 'secret.txt')
    fs.writeFileSync(secret, SECRET)
    fs.copyFileSync(path.join(photos, '2008_001009.jpg'), path.join(photos, `${SECRET}.jpg`))
    const dtd = path.join(root, 'evil.dtd')
    fs.writeFileSync(dtd, `<!ENTITY x SYSTEM "${pathToFileURL(secret)}">\n`)
    const labelsFile = path.join(root, 'labels.xml')
    fs.writeFileSync(labelsFile, c.labels(pathToFileURL(secret).href, pathToFileURL(dtd).href))
    const store = newStore()
    stores.push(store)
    const before = snapshot(store)

    for (const format of [c.format, 'auto'] as const) {
      const error = await importLabels(store, { labelsFile, imagesDir: photos, format }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(LabelFileError)
      expect((error as Error).message).toBe(`${labelsFile}${c.message}`)
      expect((error as Error).message).not.toContain(SECRET)
      expect(snapshot(store)).toEqual(before)
      expect(JSON.stringify(snapshot(store))).not.toContain(SECRET)
    }
  })
})
