// Training runs, their per-step losses and their evaluations (migration 8): `store.runs`.
import type { Run, RunEval, RunState, RunStep, SkippedFile, TrainSettings } from '../../shared/api.js'
import { decode, type Statements } from './statements.js'

export interface NewRun {
  name: string
  preset: string
  settings: TrainSettings
  config: unknown
  classes: string[]
  backend: string
  trainImages: number
  valImages: number
  valHeldOut: boolean
  steps: number
  /** The run it is fine-tuned from, and the epoch of the checkpoint it starts from. */
  parent?: { runId: number; epoch: number }
}

/** What the stored run holds beyond the API's Run: what a resume needs. */
export interface RunRecordExtras {
  config: unknown
  lastCheckpoint: string | null
  lastCheckpointEpoch: number | null
  lastCheckpointStep: number | null
}

// Rows come out under the API's names; settings, classes, warnings and config are JSON, val_held_out a flag.
// The parent comes as JSON (null without one), its name as the parent run has it now.
const RUN_COLUMNS = `id, name, preset, settings, state, error, backend, classes, train_images AS trainImages,
  val_images AS valImages, val_held_out AS valHeldOut, warnings, step, steps, epoch, created_at AS createdAt,
  ended_at AS endedAt, best_ap50 AS bestAp50, best_checkpoint AS bestCheckpoint,
  CASE WHEN parent_epoch IS NULL THEN NULL ELSE json_object('runId', parent_run_id, 'epoch', parent_epoch,
    'name', (SELECT p.name FROM runs p WHERE p.id = runs.parent_run_id)) END AS parent,
  CASE json_extract(config, '$.task') WHEN 'classify' THEN 'classify' ELSE 'detect' END AS task,
  best_accuracy AS bestAccuracy, threshold`
const EXTRA_COLUMNS = `config, last_checkpoint AS lastCheckpoint, last_checkpoint_epoch AS lastCheckpointEpoch,
  last_checkpoint_step AS lastCheckpointStep`
const RUN = { json: ['settings', 'classes', 'warnings', 'parent'], flags: ['valHeldOut'] }
const RECORD = { json: [...RUN.json, 'config'], flags: RUN.flags }

export const INTERRUPTED_MESSAGE = 'the studio stopped during training'

export class RunStore {
  constructor(private readonly sql: Statements) {}

  create(run: NewRun, now = Date.now()): Run {
    const insert = this.sql.prepare(
      `INSERT INTO runs (name, preset, settings, config, classes, state, backend, train_images, val_images,
                         val_held_out, steps, created_at, pid, parent_run_id, parent_epoch)
       VALUES (@name, @preset, @settings, @config, @classes, 'running', @backend, @trainImages, @valImages,
               @valHeldOut, @steps, @createdAt, @pid, @parentRunId, @parentEpoch)`,
    )
    const { parent, ...fields } = run
    const id = Number(
      insert.run({
        ...fields,
        parentRunId: parent?.runId ?? null,
        parentEpoch: parent?.epoch ?? null,
        settings: JSON.stringify(run.settings),
        config: JSON.stringify(run.config),
        classes: JSON.stringify(run.classes),
        valHeldOut: run.valHeldOut ? 1 : 0,
        createdAt: now,
        pid: process.pid,
      }).lastInsertRowid,
    )
    return this.get(id)!
  }

  get(id: number): Run | undefined {
    const r = this.sql.prepare<[number], Record<string, unknown>>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id)
    return r && decode<Run>(r, RUN)
  }

  /** The run with what only the training code needs (config, checkpoints, warnings). */
  record(id: number): (Run & RunRecordExtras) | undefined {
    const r = this.sql.prepare<[number], Record<string, unknown>>(`SELECT ${RUN_COLUMNS}, ${EXTRA_COLUMNS} FROM runs WHERE id = ?`).get(id)
    return r && decode<Run & RunRecordExtras>(r, RECORD)
  }

  list(): Run[] {
    return this.sql
      .prepare<[], Record<string, unknown>>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id DESC`)
      .all()
      .map((r) => decode<Run>(r, RUN))
  }

  /** Steps arrive many a second: one transaction per batch of them, not per step. */
  addSteps(runId: number, steps: RunStep[]): void {
    if (steps.length === 0) return
    const insert = this.sql.prepare(
      `INSERT OR REPLACE INTO run_steps (run_id, step, epoch, loss, classification, box, learning_rate, at)
       VALUES (@runId, @step, @epoch, @loss, @classification, @box, @learningRate, @at)`,
    )
    const progress = this.sql.prepare<{ id: number; step: number; epoch: number }>(
      'UPDATE runs SET step = @step, epoch = max(epoch, @epoch) WHERE id = @id',
    )
    this.sql.transaction(() => {
      for (const s of steps) insert.run({ runId, ...s })
      const last = steps[steps.length - 1]
      progress.run({ id: runId, step: last.step, epoch: last.epoch })
    })
  }

  /**
   * An evaluation and the checkpoint it scored; the run's best and last checkpoints move with it. A detector's best is
   * by AP50 (`accuracy` null), a classifier's by accuracy (`ap50` null).
   */
  addEval(runId: number, e: RunEval, best: { ap50: number | null; accuracy?: number | null; checkpoint: string | null }): void {
    this.sql.transaction(() => {
      this.sql
        .prepare(
          `INSERT OR REPLACE INTO run_evals (run_id, step, epoch, ap50, ap, recall, checkpoint, at, classifier)
           VALUES (@runId, @step, @epoch, @ap50, @ap, @recall, @checkpoint, @at, @classifier)`,
        )
        .run({ runId, ...e, classifier: e.classifier ? JSON.stringify(e.classifier) : null })
      this.sql
        .prepare(
          `UPDATE runs SET last_checkpoint = @checkpoint, last_checkpoint_epoch = @epoch, last_checkpoint_step = @step,
                           best_ap50 = @bestAp50, best_accuracy = @bestAccuracy, best_checkpoint = @bestCheckpoint,
                           epoch = max(epoch, @epoch)
           WHERE id = @id`,
        )
        .run({
          id: runId,
          checkpoint: e.checkpoint,
          epoch: e.epoch,
          step: e.step,
          bestAp50: best.ap50,
          bestAccuracy: best.accuracy ?? null,
          bestCheckpoint: best.checkpoint,
        })
    })
  }

  steps(runId: number): RunStep[] {
    return this.sql
      .prepare<[number], RunStep>(
        `SELECT step, epoch, loss, classification, box, learning_rate AS learningRate, at FROM run_steps
         WHERE run_id = ? ORDER BY step`,
      )
      .all(runId)
  }

  /** A detector's evaluations have no `classifier` (kept out, not null, so they read as they always have). */
  evals(runId: number): RunEval[] {
    return this.sql
      .prepare<[number], Record<string, unknown>>(
        'SELECT step, epoch, ap50, ap, recall, checkpoint, at, classifier FROM run_evals WHERE run_id = ? ORDER BY epoch',
      )
      .all(runId)
      .map(({ classifier, ...e }) =>
        classifier === null ? (e as RunEval) : { ...(e as RunEval), classifier: JSON.parse(classifier as string) },
      )
  }

  end(id: number, state: Exclude<RunState, 'running'>, error: string | null = null, now = Date.now()): void {
    this.sql
      .prepare<{ id: number; state: RunState; error: string | null; endedAt: number }>(
        'UPDATE runs SET state = @state, error = @error, ended_at = @endedAt WHERE id = @id',
      )
      .run({ id, state, error, endedAt: now })
  }

  /**
   * A resumed run goes back to its last checkpoint: the steps logged after it are dropped, since they are trained
   * again (with the same shuffling) and the curve should not hold both.
   */
  restart(id: number, from: { backend: string; step: number; epoch: number }): void {
    this.sql.transaction(() => {
      this.sql.prepare<[number, number]>('DELETE FROM run_steps WHERE run_id = ? AND step > ?').run(id, from.step)
      this.sql
        .prepare<{ id: number; backend: string; step: number; epoch: number; pid: number }>(
          `UPDATE runs SET state = 'running', error = NULL, ended_at = NULL, backend = @backend, step = @step,
                           epoch = @epoch, pid = @pid WHERE id = @id`,
        )
        .run({ id, ...from, pid: process.pid })
    })
  }

  /** A budget run planned its steps again. */
  setSteps(id: number, steps: number): void {
    this.sql.prepare<[number, number]>('UPDATE runs SET steps = ? WHERE id = ?').run(steps, id)
  }

  /** "Use for deploy": the score threshold predict, export and deploy use for this run unless told otherwise (null: the preset's). */
  setThreshold(id: number, threshold: number | null): Run {
    this.sql.prepare<[number | null, number]>('UPDATE runs SET threshold = ? WHERE id = ?').run(threshold, id)
    return this.get(id)!
  }

  setBackend(id: number, backend: string): void {
    this.sql.prepare<[string, number]>('UPDATE runs SET backend = ? WHERE id = ?').run(backend, id)
  }

  setWarnings(id: number, warnings: SkippedFile[]): void {
    this.sql.prepare<[string, number]>('UPDATE runs SET warnings = ? WHERE id = ?').run(JSON.stringify(warnings), id)
  }

  /**
   * Runs the studio was in the middle of when it stopped will never finish by themselves: failed, and resumable. A run
   * whose process is still alive is another studio's or a `kindling train`'s, training now, and is left alone (this
   * process's own runs are stale by the time a project is opened: opening stops this studio's jobs first).
   */
  markInterrupted(now = Date.now(), alive: (pid: number) => boolean = processAlive): number {
    const interrupted = this.sql.prepare<[string, number, number]>(
      "UPDATE runs SET state = 'failed', error = ?, ended_at = ? WHERE id = ? AND state = 'running'",
    )
    let marked = 0
    for (const run of this.sql.prepare<[], { id: number; pid: number | null }>("SELECT id, pid FROM runs WHERE state = 'running'").all()) {
      if (run.pid !== null && run.pid !== process.pid && alive(run.pid)) continue
      marked += interrupted.run(INTERRUPTED_MESSAGE, now, run.id).changes
    }
    return marked
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
