// src/main/store/schema.sql is today's whole schema in one place, for reading; the migrations are what runs. This keeps
// the two from drifting apart: a migration added or changed without `npm run schema` fails here, naming the line.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderSchema, SCHEMA_FILE } from '../../../scripts/schema.js'

/** Where two texts first differ, by line, or undefined when they are the same. */
function firstDifference(committed: string, migrated: string): string | undefined {
  if (committed === migrated) return undefined
  const lines = (text: string) => text.replace(/\n$/, '').split('\n')
  const a = lines(committed)
  const b = lines(migrated)
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const line = (l: string | undefined) => (l === undefined ? '(end of file)' : JSON.stringify(l))
  return (
    `src/main/store/schema.sql differs from the schema the migrations build, first at line ${i + 1}:\n` +
    `  schema.sql: ${line(a[i])}\n  migrations: ${line(b[i])}\n` +
    'If the migrations are right, regenerate it with `npm run schema` and commit it.'
  )
}

describe('schema.sql', () => {
  it('is the schema a new project has once every migration has run', () => {
    const difference = firstDifference(fs.readFileSync(SCHEMA_FILE, 'utf8'), renderSchema())
    expect(difference).toBeUndefined()
  })

  it('says where it first differs and how to regenerate it', () => {
    const migrated = renderSchema()
    const stale = migrated.replace('disagree INTEGER', 'disagree INTEGER NOT NULL')
    expect(firstDifference(stale, migrated)).toMatch(
      /first at line \d+:\n {2}schema\.sql: ", disagree INTEGER NOT NULL"\n {2}migrations: ", disagree INTEGER"\n.*npm run schema/,
    )
    expect(firstDifference(`${migrated}-- more\n`, migrated)).toMatch(/migrations: \(end of file\)/)
  })
})
