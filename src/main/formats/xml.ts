// The XML under the two XML label formats (dlib imglab, Pascal VOC), read with saxes (a conformant parser that knows
// line numbers and never loads external entities or DTDs) into a small tree. Its errors are turned into LabelFileErrors
// that say where and what, in words a person fixing the label file can act on.
import { SaxesParser } from 'saxes'
import { LabelFileError } from './label-set.js'

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** Text directly inside the element (not its children's), entities decoded, trimmed. */
  text: string
  line: number
}

const lineBreaks = (s: string) => s.match(/\r\n?|\n/g)?.length ?? 0

/** An `&` that does not start a reference (`&amp;`, `&#233;`, `&nbsp;`…). */
const BARE_AMPERSAND = /&(?![^\s&;<>'"]+;)/

export function parseXml(source: string, file: string): XmlElement {
  const parser = new SaxesParser()
  const open: XmlElement[] = []
  let root: XmlElement | undefined
  /** The element closed last: the one a closing tag of another name was taken to close. */
  let closed: XmlElement | undefined
  /** Where the last complete piece of markup ended; whatever saxes stumbled on lies after it. */
  let markupEnd = 0
  const lineAt = (position: number) => lineBreaks(source.slice(0, position)) + 1
  const fail = (reason: string, line = parser.line): never => {
    throw new LabelFileError({ file, line }, `not well-formed XML: ${reason}`)
  }

  /** A file that ends inside some markup (a comment, a tag…) is cut short there: say so, and where it starts. */
  const failIfCutShort = () => {
    const start = source.indexOf('<', markupEnd)
    if (start < 0) return
    const rest = source.slice(start)
    const line = lineAt(start)
    if (rest.startsWith('<!--')) fail('unterminated comment', line)
    if (rest.startsWith('<![CDATA[')) fail('unterminated CDATA section', line)
    if (rest.startsWith('<?')) fail('unterminated processing instruction', line)
    if (rest.startsWith('<!DOCTYPE')) fail('unterminated DOCTYPE', line)
    const [, closing, name] = /^<(\/?)([^\s/>]*)/.exec(rest)!
    if (closing) fail(`expected > after </${name}`, line)
    fail(name ? `unterminated <${name}>` : 'the file ends inside a tag', line)
  }

  parser.on('error', (error) => {
    const position = parser.position
    /** What saxes read since the last complete markup: the tag, text or reference it failed in. */
    const pending = source.slice(markupEnd, position)
    // saxes reads an & as the start of a reference running to the next ';', so a bare one (`fish & chips`) comes out
    // as some other error further on: look for it first (not inside a comment or the like, where & is allowed).
    const bare = BARE_AMPERSAND.exec(pending.split(/<[!?]/)[0])
    if (bare) fail('a bare & (write &amp;)', lineAt(markupEnd + bare.index))

    const message = error.message.replace(/^\d+:\d+: /, '')
    const element = open.at(-1)
    const reference = () => /&[^&]*;$/.exec(pending)?.[0]
    const attribute = () => /([^\s=<>/]+)\s*=?\s*\S$/.exec(pending)?.[1]
    if (message === 'unexpected close tag.' && closed) {
      const closing = source.slice(source.lastIndexOf('</', position - 2) + 2, position - 1).trim()
      fail(`</${closing}> closes <${closed.name}> (line ${closed.line})`)
    }
    if (/^(unclosed tag|document must contain a root|unexpected end)/.test(message)) {
      failIfCutShort()
      if (element) fail(`<${element.name}> (line ${element.line}) is never closed`)
      fail(root ? 'the file ends too early' : 'no root element (is the file empty?)')
    }
    if (message === 'undefined entity.' && reference()) fail(`unknown entity ${reference()}`)
    if (message === 'malformed character entity.' && reference()) fail(`bad character reference ${reference()}`)
    if (message === 'unquoted attribute value.' && element && attribute()) {
      fail(`attribute ${attribute()} of <${element.name}> is not quoted`)
    }
    // `<b y/>` has an attribute without a value too, though saxes calls the / a bad character in a name.
    const noValue = message === 'attribute without value.' || (message === 'disallowed character in attribute name.' && pending.endsWith('/'))
    if (noValue && element && attribute()) fail(`attribute ${attribute()} of <${element.name}> has no value`)
    const twice = /^duplicate attribute: (.*)\.$/.exec(message)?.[1]
    if (twice && element) fail(`<${element.name}> has attribute ${twice} twice`)
    if (/^(documents may contain only one root|unmatched closing tag)/.test(message)) fail('content after the root element')
    if (message === 'text data outside of root node.') fail(root ? 'content after the root element' : 'text before the root element')
    if (message === 'disallowed character.') {
      const character = [...source.slice(Math.max(0, position - 2), position)].at(-1)!
      if (character === '<') fail('a < inside an attribute value (write &lt;)')
      fail(`a character XML does not allow: U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
    }
    if (message === 'weird empty close tag.') fail('a closing tag without a name (</>)')
    fail(message.replace(/\.$/, ''))
  })
  parser.on('doctype', (doctype) => {
    // saxes would skip the subset and leave its entities undefined; saying why the file is refused is clearer.
    if (doctype.includes('[')) fail('DOCTYPE with an internal subset is not supported', parser.line - lineBreaks(doctype))
    markupEnd = parser.position
  })
  parser.on('opentagstart', (tag) => {
    // saxes has read one character past the name: if that was a line break, the tag started on the line before.
    const line = parser.line - (/[\r\n]/.test(source[parser.position - 1]) ? 1 : 0)
    const element: XmlElement = { name: tag.name, attributes: {}, children: [], text: '', line }
    if (open.length) open[open.length - 1].children.push(element)
    else root ??= element
    open.push(element)
  })
  parser.on('opentag', (tag) => {
    open[open.length - 1].attributes = tag.attributes
    markupEnd = parser.position
  })
  parser.on('closetag', () => {
    closed = open.pop()!
    closed.text = closed.text.trim()
    markupEnd = parser.position
  })
  const addText = (text: string) => {
    if (open.length) open[open.length - 1].text += text
  }
  parser.on('text', addText)
  parser.on('cdata', (text) => {
    addText(text)
    markupEnd = parser.position
  })
  for (const markup of ['xmldecl', 'processinginstruction', 'comment'] as const) parser.on(markup, () => (markupEnd = parser.position))

  parser.write(source).close()
  return root ?? fail('no root element (is the file empty?)')
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
