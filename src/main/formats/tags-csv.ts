// Image tags as CSV: a `file` column (the photo's path relative to the image folder, `/`-separated) and one column per
// tag, 1/0 (also true/false, yes/no; empty: no say on that photo). GENKI-4K's genki4k-smile.csv is this shape with
// other columns beside (`file,smile,yaw,pitch,roll,split`): `columns` picks the tag columns and names their tags
// (`smile` → `smiling`); without it every column but `file` must be a tag. Quoted fields (RFC 4180) are read, so a
// file name may hold a comma; a quoted field may not span lines. Errors name the file and line, as the label formats do.
import { TagName } from '../../shared/api.js'
import { LabelFileError, type Origin } from './label-set.js'

export interface TagRowOfCsv {
  /** 1-based line number in the file. */
  line: number
  file: string
  /** The tags this row says something about (empty cells are left out). */
  tags: Map<string, boolean>
}

export interface TagsCsv {
  /** The tag names, in column order. */
  names: string[]
  rows: TagRowOfCsv[]
}

const TRUE = new Set(['1', 'true', 'yes', 'y'])
const FALSE = new Set(['0', 'false', 'no', 'n'])

/**
 * Parse a tags CSV. `columns` maps CSV column → tag name; given, only those columns are read (the rest, like GENKI's
 * yaw and split, are ignored) and each must be in the header.
 */
export function parseTagsCsv(text: string, file: string, columns?: ReadonlyMap<string, string>): TagsCsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const headerAt = lines.findIndex((l) => l.trim() !== '')
  if (headerAt < 0) throw new LabelFileError({ file }, `empty file: expected a header like "file,smiling"`)
  const header = splitCsvLine(lines[headerAt], file, headerAt + 1).map((h) => h.trim())
  const fileColumn = header.findIndex((h) => h.toLowerCase() === 'file')
  if (fileColumn < 0) throw new LabelFileError({ file, line: headerAt + 1 }, `no "file" column in the header (${header.join(',')})`)

  const picked: { index: number; column: string; name: string }[] = []
  if (columns) {
    for (const [column, name] of columns) {
      const index = header.indexOf(column)
      if (index < 0) throw new LabelFileError({ file, line: headerAt + 1 }, `no column "${column}" (the header has ${header.join(', ')})`)
      picked.push({ index, column, name: tagName(name, { file }, `tag column "${column}"`) })
    }
  } else {
    header.forEach((column, index) => {
      if (index !== fileColumn) picked.push({ index, column, name: tagName(column, { file, line: headerAt + 1 }, `column "${column}"`) })
    })
  }
  if (picked.length === 0) throw new LabelFileError({ file, line: headerAt + 1 }, `no tag columns beside "file"`)
  const names = picked.map((p) => p.name)
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice) throw new LabelFileError({ file }, `two columns are tag "${twice}"`)

  const rows: TagRowOfCsv[] = []
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue
    const line = i + 1
    const cells = splitCsvLine(lines[i], file, line)
    if (cells.length !== header.length) {
      throw new LabelFileError({ file, line }, `expected ${header.length} fields as in the header, got ${cells.length}`)
    }
    const name = cells[fileColumn].trim()
    if (name === '') throw new LabelFileError({ file, line }, `the file name is empty`)
    if (/^([/\\]|[A-Za-z]:)/.test(name) || name.split(/[/\\]/).includes('..')) {
      throw new LabelFileError({ file, line }, `"${name}" must be relative to the image folder, inside it`)
    }
    const tags = new Map<string, boolean>()
    for (const p of picked) {
      const cell = cells[p.index].trim().toLowerCase()
      if (cell === '') continue
      if (TRUE.has(cell)) tags.set(p.name, true)
      else if (FALSE.has(cell)) tags.set(p.name, false)
      else {
        throw new LabelFileError(
          { file, line },
          `column "${p.column}": expected 1 or 0 (true/false, yes/no, or empty), got "${cells[p.index].trim()}"` +
            (columns ? '' : ' (pick the tag columns with --tag-columns COLUMN[=TAG],…)'),
        )
      }
    }
    rows.push({ line, file: name.split('\\').join('/'), tags })
  }
  return { names, rows }
}

/** The CSV text of photos' tags: a header `file,TAG…`, then per photo 1, 0 or empty (no say) for each tag. */
export function writeTagsCsv(names: readonly string[], photos: readonly { file: string; tags: ReadonlyMap<string, boolean> }[]): string {
  const out = [['file', ...names].map(quote).join(',')]
  for (const p of photos) {
    out.push([quote(p.file), ...names.map((n) => (p.tags.has(n) ? (p.tags.get(n) ? '1' : '0') : ''))].join(','))
  }
  return out.join('\n') + '\n'
}

/** `smile=smiling,blink` → smile→smiling, blink→blink. */
export function parseTagColumns(spec: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const part of spec.split(',')) {
    const [column, name = column] = part.split('=').map((s) => s.trim())
    if (!column) throw new Error(`--tag-columns: an empty column in "${spec}"`)
    map.set(column, name)
  }
  return map
}

function tagName(name: string, origin: Origin, what: string): string {
  const parsed = TagName.safeParse(name)
  if (!parsed.success) throw new LabelFileError(origin, `${what}: "${name}" is no tag name: ${parsed.error.issues[0].message}`)
  return parsed.data
}

function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function splitCsvLine(text: string, file: string, line: number): string[] {
  const cells: string[] = []
  let i = 0
  for (;;) {
    if (text[i] === '"') {
      let cell = ''
      i++
      for (;;) {
        if (i >= text.length) throw new LabelFileError({ file, line }, `a quoted field is not closed on its line`)
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            cell += '"'
            i += 2
            continue
          }
          i++
          break
        }
        cell += text[i++]
      }
      if (i < text.length && text[i] !== ',') throw new LabelFileError({ file, line }, `text after a closing quote`)
      cells.push(cell)
    } else {
      const end = text.indexOf(',', i)
      cells.push(end < 0 ? text.slice(i) : text.slice(i, end))
      i = end < 0 ? text.length : end
    }
    if (i >= text.length) return cells
    i++ // the comma
  }
}
