import { describe, expect, it } from 'vitest'
import { LabelFileError } from '../../../src/main/formats/index.js'
import { decodeXml, escapeXml, parseXml } from '../../../src/main/formats/xml.js'

describe('the XML reader', () => {
  it('reads elements, attributes in either quotes, text, entities and CDATA, and knows each element’s line', () => {
    const root = parseXml(
      `<?xml version="1.0"?>
<!-- a comment -->
<!DOCTYPE annotation>
<a x='1' y="&lt;2&gt;">
  <b>fish &amp; chips &#233;&#x41;</b>
  <c><![CDATA[<raw>]]></c>
  <d/>
</a>`,
      'f.xml',
    )
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

describe('the XML reader, over saxes', () => {
  it('gives an element the line its tag starts on, when its attributes run over several lines', () => {
    const root = parseXml('<a>\n<b\n  x="1"\n  y="2"/>\n<c/></a>', 'f.xml')
    expect(root.children.map((c) => [c.name, c.attributes, c.line])).toEqual([
      ['b', { x: '1', y: '2' }, 2],
      ['c', {}, 5],
    ])
  })

  it.each([
    ['<a>\n</b>\n</a>', 2, '</b> closes <a> (line 1)'],
    ['<a>\n<b x="A & B"/>\n</a>', 2, 'a bare & (write &amp;)'],
    ['<a>\n<b>fish & chips</b>\n<c>&amp;</c>;</a>', 2, 'a bare & (write &amp;)'],
    ['<a>\n<!-- a note', 2, 'unterminated comment'],
    ['<a>\n<b></b', 2, 'expected > after </b'],
    ['<a x="1" x="2"/>', 1, '<a> has attribute x twice'],
    ['<a>\n<b x="1" y/>\n</a>', 2, 'attribute y of <b> has no value'],
    ['<a x="<"/>', 1, 'a < inside an attribute value (write &lt;)'],
    ['<!DOCTYPE a SYSTEM "file:///etc/passwd">\n<a>&e;</a>', 2, 'unknown entity &e;'],
    ['<!DOCTYPE a\n[<!ENTITY e "x">]>\n<a>&e;</a>', 1, 'DOCTYPE with an internal subset is not supported'],
  ])('refuses %j at line %i: %s', (xml, line, reason) => {
    expect(() => parseXml(xml, 'f.xml')).toThrow(new LabelFileError({ file: 'f.xml', line }, `not well-formed XML: ${reason}`))
  })
})
