// The one way to open a project's database: the file, the pragmas every connection needs, and the SQL functions the
// schema's triggers call. Store.open opens with it and then migrates; so does anything else that reads or writes a
// project's studio.db (tests that build an old project included), or its first box write fails with
// "no such function".
import Database from 'better-sqlite3'
import { registerDisagree } from './disagree.js'

export function openDatabase(file: string): Database.Database {
  let db: Database.Database
  try {
    // Inside Electron, `npm start` points this at a binding built for Electron's ABI (scripts/electron-native.js).
    db = new Database(file, { nativeBinding: process.env.KINDLING_SQLITE_BINDING })
  } catch (error) {
    throw new Error(`cannot open ${file}: ${(error as Error).message}`, { cause: error })
  }
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL') // with WAL: durable at each commit's checkpoint, and safe against corruption
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000') // a CLI import and the open studio may write the same project
    // The "predictions disagree" triggers (migration 9) call kindling_disagree(); registered before anything migrates
    // or writes a box on this connection.
    registerDisagree(db)
  } catch (error) {
    db.close()
    throw error
  }
  return db
}
