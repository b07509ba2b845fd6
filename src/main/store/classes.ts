// The `classes` table: the project's label classes in key order. New classes — a person's, or an import's — are all
// made here, with a colour from one palette.
import type { ClassInfo } from '../../shared/api.js'
import type { Statements } from './statements.js'

// Distinct on the dark canvas and from each other; the first is the default class's colour (migration 1).
export const PALETTE = ['#ff9f1c', '#2ec4b6', '#e71d36', '#8338ec', '#3a86ff', '#ffbe0b', '#fb5607', '#06d6a0', '#ff70a6']

/** The first palette colour no class has yet (once all are taken, round the palette by class count). */
export function nextColor(classes: readonly ClassInfo[]): string {
  const used = new Set(classes.map((c) => c.color.toLowerCase()))
  return PALETTE.find((c) => !used.has(c)) ?? PALETTE[classes.length % PALETTE.length]
}

const CLASSES = 'SELECT id, name, color, position FROM classes ORDER BY position, id'

export class ClassStore {
  constructor(private readonly sql: Statements) {}

  /** The project's classes in key order (number key n picks the class at position n − 1). */
  list(): ClassInfo[] {
    return this.sql.prepare<[], ClassInfo>(CLASSES).all()
  }

  get(id: number): ClassInfo | undefined {
    return this.sql.prepare<[number], ClassInfo>('SELECT id, name, color, position FROM classes WHERE id = ?').get(id)
  }

  /**
   * A new class at the end of the key order, coloured from the palette unless a colour is given. Not logged (EditLog
   * logs a person's). The name is unique (the table says so; the caller words the error).
   */
  create(name: string, color?: string): ClassInfo {
    const position = this.sql.prepare<[], { p: number }>('SELECT coalesce(max(position) + 1, 0) AS p FROM classes').get()!.p
    const row = { name, color: color ?? nextColor(this.list()), position }
    return { id: this.insert({ id: null, ...row }), ...row }
  }

  /** Put a class back under its own id (an undo), which boxes in the edit log refer to. */
  restore(c: ClassInfo): void {
    this.insert(c)
  }

  /** The table's only INSERT: under a given id, or a new one when `id` is null. */
  private insert(c: Omit<ClassInfo, 'id'> & { id: number | null }): number {
    const insert = this.sql.prepare('INSERT INTO classes (id, name, color, position) VALUES (@id, @name, @color, @position)')
    return Number(insert.run(c).lastInsertRowid)
  }

  update(c: ClassInfo): void {
    this.sql.prepare<ClassInfo>('UPDATE classes SET name = @name, color = @color, position = @position WHERE id = @id').run(c)
  }

  /** Remove the class row. Callers have checked that no label box uses it, and removed its predictions. */
  delete(id: number): void {
    this.sql.prepare<[number]>('DELETE FROM classes WHERE id = ?').run(id)
  }
}
