// The one way the store's modules talk to SQLite: statements prepared on first use and kept, by their SQL text, for as
// long as the connection is open (preparing costs more than running most of these queries). Rows come out under the
// API's names (`teacher_version AS teacherVersion`); only what SQLite cannot hold as a value — JSON text, 0/1 flags —
// is turned back into one, by `decode` below.
import type Database from 'better-sqlite3'

export type Statement<P extends unknown[] | object = unknown[], R = unknown> = P extends unknown[]
  ? Database.Statement<P, R>
  : Database.Statement<[P], R>

export class Statements {
  private readonly cache = new Map<string, Database.Statement>()

  constructor(readonly db: Database.Database) {}

  /** The statement for `sql`: prepared the first time, the same object ever after. */
  prepare<P extends unknown[] | object = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let s = this.cache.get(sql)
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)))
    return s as unknown as Statement<P, R>
  }

  /** Run `fn` in one transaction (nested calls join the outer one, as better-sqlite3 does with savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }
}

/** Columns selected as JSON text (`attributes`, `settings`, …) or as a 0/1 flag, by their aliased names. */
export interface Encoded {
  json?: readonly string[]
  flags?: readonly string[]
}

/**
 * A row as the API types it: the named JSON columns parsed (NULL stays null) and the flags made booleans. The one place
 * a stored value is converted; everything else arrives as selected.
 */
export function decode<T>(row: Record<string, unknown>, { json = [], flags = [] }: Encoded): T {
  for (const k of json) row[k] = row[k] === null ? null : JSON.parse(row[k] as string)
  for (const k of flags) row[k] = row[k] === 1
  return row as T
}
