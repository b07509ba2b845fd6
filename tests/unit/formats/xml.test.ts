import { describe, expect, it } from 'vitest'
import { LabelFileError } from '../../../src/main/formats/index.js'
import { decodeXml, escapeXml, parseXml } from '../../../src/main/formats/xml.js'

describe('the XML reader', () => {
  it('reads elements, attributes in either quotes, text, entities and CDATA, and knows each element’s line', () => {
    const root = parseXml(`<?xml version="1.0"?>
<!-- a comment -->
<!DOCTYPE annotation>
<a x='1' y="&lt;2&gt;">
  <b>fish &amp; chips &#233;&#x41;</b>
  <c><![CDATA[<raw>]]></c>
  <d/>
</a>`, 'f.xml')
    expect(root).toMatchObject({ name: 'a', attributes: { x: '1', y: '<2>' }, line: 4 })
    expect(root.children.map((c) => [c.name, c.text, c.line])).toEqual([
      ['b', 'fish & chips éA', 5],
      ['c', '<raw>', 6],
      ['d', '', 7],
    ])
  })

  it.each([
    ['<a><b></a>', 1, '</a> closes <b> (line 1)'],
    ['<a>\n<b x=1/>\n</a>', 2, 'attribute x of <b> is not quoted'],
    ['<a>\n\n<b>', 3, '<b> (line 3) is never closed'],
    ['<a>&nbsp;</a>', 1, 'unknown entity &nbsp;'],
    ['<a>fish & chips</a>', 1, 'a bare & (write &amp;)'],
    ['', 1, 'no root element (is the file empty?)'],
    ['<a/>\n<b/>', 2, 'content after the root element'],
    ['<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', 1, 'DOCTYPE with an internal subset is not supported'],
  ])('refuses %j at line %i: %s', (xml, line, reason) => {
    let error: unknown
    try {
      parseXml(xml, 'f.xml')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(LabelFileError)
    expect((error as LabelFileError).message).toBe(`f.xml:${line}: not well-formed XML: ${reason}`)
  })

  it('decodes by the declared encoding: dlib writes ISO-8859-1', () => {
    const latin1 = Buffer.from("<?xml version='1.0' encoding='ISO-8859-1'?><a n='caf\xe9'/>", 'latin1')
    expect(parseXml(decodeXml(latin1), 'f.xml').attributes.n).toBe('café')
    expect(parseXml(decodeXml(Buffer.from("<a n='café'/>")), 'f.xml').attributes.n).toBe('café')
  })

  it('escapes what it writes', () => {
    expect(parseXml(`<a n='${escapeXml(`<"it's" & more>`)}'/>`, 'f.xml').attributes.n).toBe(`<"it's" & more>`)
  })
})
