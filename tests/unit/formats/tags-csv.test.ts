import { describe, expect, it } from 'vitest'
import { parseTagColumns, parseTagsCsv, writeTagsCsv } from '../../../src/main/formats/index.js'

describe('tags CSV text', () => {
  it('reads quoted names, CRLF, a BOM, yes/no words and empty cells; writes them back the same', () => {
    const text = '\uFEFFfile,smiling,waving\r\n"a, b.jpg",yes,\r\nsub\\c.jpg,0,TRUE\r\n\r\n"say ""hi"".jpg",,n\r\n'
    const csv = parseTagsCsv(text, 'tags.csv')
    expect(csv.names).toEqual(['smiling', 'waving'])
    expect(csv.rows.map((r) => [r.line, r.file, Object.fromEntries(r.tags)])).toEqual([
      [2, 'a, b.jpg', { smiling: true }],
      [3, 'sub/c.jpg', { smiling: false, waving: true }],
      [5, 'say "hi".jpg', { waving: false }],
    ])
    const written = writeTagsCsv(csv.names, csv.rows)
    expect(written).toBe('file,smiling,waving\n"a, b.jpg",1,\nsub/c.jpg,0,1\n"say ""hi"".jpg",,0\n')
    expect(parseTagsCsv(written, 'again.csv').rows).toEqual(csv.rows.map((r, i) => ({ ...r, line: i + 2 })))
  })

  it('names the line of what it refuses', () => {
    expect(() => parseTagsCsv('', 'e.csv')).toThrow('e.csv: empty file')
    expect(() => parseTagsCsv('name,smiling\n', 'h.csv')).toThrow('h.csv:1: no "file" column')
    expect(() => parseTagsCsv('file,smiling\n"a.jpg,1\n', 'q.csv')).toThrow('q.csv:2: a quoted field is not closed on its line')
    expect(() => parseTagsCsv('file,two words\na.jpg,1\n', 'n.csv')).toThrow('n.csv:1: column "two words": "two words" is no tag name')
    expect(() => parseTagsCsv('file,smile,x\na.jpg,1,2\n', 'c.csv', parseTagColumns('smile=smiling,smile2'))).toThrow(
      'c.csv:1: no column "smile2"',
    )
    expect(() => parseTagsCsv('file,a,b\nx.jpg,1,1\n', 'd.csv', parseTagColumns('a=t,b=t'))).toThrow('d.csv: two columns are tag "t"')
    expect(() => parseTagsCsv('file,smiling\n,1\n', 'f.csv')).toThrow('f.csv:2: the file name is empty')
    expect(() => parseTagsCsv('file,smiling\n/abs/a.jpg,1\n', 'a.csv')).toThrow('a.csv:2: "/abs/a.jpg" must be relative')
  })
})
