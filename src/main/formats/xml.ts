// A small XML reader for the two XML label formats (dlib imglab, Pascal VOC). Those files are flat and simple, and a
// reader of our own can say on which line a problem is — the thing a person fixing a label file needs most. It handles
// the XML declaration, comments, processing instructions, a DOCTYPE without an internal subset, CDATA, and the
// predefined and numeric entities; it does not resolve external entities (so it cannot be made to read other files).
import { LabelFileError } from './label-set.js'

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** Text directly inside the element (not its children's), entities decoded, trimmed. */
  text: string
  line: number
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

export function parseXml(source: string, file: string): XmlElement {
  let i = 0
  let line = 1
  const fail = (reason: string): never => {
    throw new LabelFileError({ file, line }, `not well-formed XML: ${reason}`)
  }
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (source.charCodeAt(k) === 10) line++
    i = to
  }
  const skipPast = (marker: string, what: string) => {
    const end = source.indexOf(marker, i)
    if (end < 0) fail(`unterminated ${what}`)
    advance(end + marker.length)
  }
  const decode = (raw: string): string =>
    raw.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);|&/gi, (whole, name: string | undefined) => {
      if (!name) return fail('a bare & (write &amp;)')
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
        if (!(code > 0 && code <= 0x10ffff)) fail(`bad character reference ${whole}`)
        return String.fromCodePoint(code)
      }
      return ENTITIES[name] ?? fail(`unknown entity ${whole}`)
    })

  const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y
  const readName = (): string => {
    NAME.lastIndex = i
    const m = NAME.exec(source)
    if (!m) fail(`expected a name at ${JSON.stringify(source.slice(i, i + 10))}`)
    advance(i + m![0].length)
    return m![0]
  }
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i])) advance(i + 1)
  }

  /** Skip everything that is not an element: declarations, comments, instructions; returns text seen. */
  const misc = (): string => {
    let text = ''
    while (i < source.length) {
      if (source.startsWith('<!--', i)) skipPast('-->', 'comment')
      else if (source.startsWith('<?', i)) skipPast('?>', 'processing instruction')
      else if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i)
        if (end < 0) fail('unterminated CDATA section')
        text += source.slice(i + 9, end)
        advance(end + 3)
      } else if (source.startsWith('<!DOCTYPE', i)) {
        const end = source.indexOf('>', i)
        if (end < 0) fail('unterminated DOCTYPE')
        if (source.slice(i, end).includes('[')) fail('DOCTYPE with an internal subset is not supported')
        advance(end + 1)
      } else if (source[i] === '<') break
      else {
        const end = source.indexOf('<', i)
        const stop = end < 0 ? source.length : end
        text += decode(source.slice(i, stop))
        advance(stop)
      }
    }
    return text
  }

  const element = (): XmlElement => {
    const startLine = line
    advance(i + 1) // '<'
    const name = readName()
    const attributes: Record<string, string> = {}
    for (;;) {
      skipSpace()
      if (source.startsWith('/>', i)) {
        advance(i + 2)
        return { name, attributes, children: [], text: '', line: startLine }
      }
      if (source[i] === '>') {
        advance(i + 1)
        break
      }
      if (i >= source.length) fail(`unterminated <${name}>`)
      const attr = readName()
      skipSpace()
      if (source[i] !== '=') fail(`attribute ${attr} of <${name}> has no value`)
      advance(i + 1)
      skipSpace()
      const quote = source[i]
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} of <${name}> is not quoted`)
      const end = source.indexOf(quote, i + 1)
      if (end < 0) fail(`unterminated attribute ${attr} of <${name}>`)
      if (attr in attributes) fail(`<${name}> has attribute ${attr} twice`)
      attributes[attr] = decode(source.slice(i + 1, end))
      advance(end + 1)
    }
    const children: XmlElement[] = []
    let text = ''
    for (;;) {
      text += misc()
      if (i >= source.length) fail(`<${name}> (line ${startLine}) is never closed`)
      if (source.startsWith('</', i)) {
        advance(i + 2)
        const closing = readName()
        if (closing !== name) fail(`</${closing}> closes <${name}> (line ${startLine})`)
        skipSpace()
        if (source[i] !== '>') fail(`expected > after </${closing}`)
        advance(i + 1)
        return { name, attributes, children, text: text.trim(), line: startLine }
      }
      children.push(element())
    }
  }

  const before = misc()
  if (before.trim()) fail('text before the root element')
  if (i >= source.length) fail('no root element (is the file empty?)')
  const root = element()
  const after = misc()
  if (after.trim() || i < source.length) fail('content after the root element')
  return root
}

/** Decode an XML file's bytes by its declared encoding: dlib writes ISO-8859-1; everything else here is UTF-8. */
export function decodeXml(bytes: Buffer): string {
  const head = bytes.subarray(0, 200).toString('latin1')
  const declared = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head.replace(/^\uFEFF|^\xEF\xBB\xBF/, ''))?.[1]
  return declared && /^(iso-8859-1|latin-?1|us-ascii)$/i.test(declared) ? bytes.toString('latin1') : bytes.toString('utf8')
}

export const childrenNamed = (e: XmlElement, name: string) => e.children.filter((c) => c.name === name)

/** Escape text for an attribute value or element content. */
export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
