// Training runs, their per-step losses and their evaluations (migration 8). A separate accessor over the project's
// database, like devices.ts, so the training code reads and writes its tables without widening the Store class.
import type { Database } from 'better-sqlite3'
import type { Run, RunEval, RunState, RunStep, SkippedFile, TrainSettings } from '../../shared/api.js'

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
}

/** What the stored run holds beyond the API's Run: what a resume needs. */
export interface RunRecordExtras {
  config: unknown
  lastCheckpoint: string | null
  lastCheckpointEpoch: number | null
  lastCheckpointStep: number | null
}

interface RunRecord {
  id: number
  name: string
  preset: string
  settings: string
  config: string
  classes: string
  state: RunState
  error: string | null
  backend: string
  train_images: number
  val_images: number
  val_held_out: number
  warnings: string
  step: number
  steps: number
  epoch: number
  created_at: number
  ended_at: number | null
  best_ap50: number | null
  best_checkpoint: string | null
  last_checkpoint: string | null
  last_checkpoint_epoch: number | null
  last_checkpoint_step: number | null
}

const toRun = (r: RunRecord): Run => ({
  id: r.id,
  name: r.name,
  preset: r.preset,
  settings: JSON.parse(r.settings) as TrainSettings,
  state: r.state,
  error: r.error,
  backend: r.backend,
  classes: JSON.parse(r.classes) as string[],
  trainImages: r.train_images,
  valImages: r.val_images,
  valHeldOut: r.val_held_out === 1,
  warnings: JSON.parse(r.warnings) as SkippedFile[],
  step: r.step,
  steps: r.steps,
  epoch: r.epoch,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  bestAp50: r.best_ap50,
  bestCheckpoint: r.best_checkpoint,
})

const toExtras = (r: RunRecord): RunRecordExtras => ({
  config: JSON.parse(r.config) as unknown,
  lastCheckpoint: r.last_checkpoint,
  lastCheckpointEpoch: r.last_checkpoint_epoch,
  lastCheckpointStep: r.last_checkpoint_step,
})

export const INTERRUPTED_MESSAGE = 'the studio stopped during training'

export class RunStore {
  private readonly stmt

  constructor(private readonly db: Database) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO runs (name, preset, settings, config, classes, state, backend, train_images, val_images,
                           val_held_out, steps, created_at, pid)
         VALUES (@name, @preset, @settings, @config, @classes, 'running', @backend, @trainImages, @valImages,
                 @valHeldOut, @steps, @createdAt, @pid)`,
      ),
      get: db.prepare<[number], RunRecord>('SELECT * FROM runs WHERE id = ?'),
      all: db.prepare<[], RunRecord>('SELECT * FROM runs ORDER BY id DESC'),
      insertStep: db.prepare(
        `INSERT OR REPLACE INTO run_steps (run_id, step, epoch, loss, classification, box, learning_rate, at)
         VALUES (@runId, @step, @epoch, @loss, @classification, @box, @learningRate, @at)`,
      ),
      progress: db.prepare<[{ id: number; step: number; epoch: number }]>(
        'UPDATE runs SET step = @step, epoch = max(epoch, @epoch) WHERE id = @id',
      ),
      insertEval: db.prepare(
        `INSERT OR REPLACE INTO run_evals (run_id, step, epoch, ap50, ap, recall, checkpoint, at)
         VALUES (@runId, @step, @epoch, @ap50, @ap, @recall, @checkpoint, @at)`,
      ),
      checkpoint: db.prepare(
        `UPDATE runs SET last_checkpoint = @checkpoint, last_checkpoint_epoch = @epoch, last_checkpoint_step = @step,
                         best_ap50 = @bestAp50, best_checkpoint = @bestCheckpoint, epoch = max(epoch, @epoch)
         WHERE id = @id`,
      ),
      steps: db.prepare<[number], RunStep>(
        `SELECT step, epoch, loss, classification, box, learning_rate AS learningRate, at FROM run_steps
         WHERE run_id = ? ORDER BY step`,
      ),
      evals: db.prepare<[number], RunEval>(
        'SELECT step, epoch, ap50, ap, recall, checkpoint, at FROM run_evals WHERE run_id = ? ORDER BY epoch',
      ),
      end: db.prepare<[{ id: number; state: RunState; error: string | null; endedAt: number }]>(
        'UPDATE runs SET state = @state, error = @error, ended_at = @endedAt WHERE id = @id',
      ),
      restart: db.prepare<[{ id: number; backend: string; step: number; epoch: number; pid: number }]>(
        `UPDATE runs SET state = 'running', error = NULL, ended_at = NULL, backend = @backend, step = @step,
                         epoch = @epoch, pid = @pid WHERE id = @id`,
      ),
      dropStepsAfter: db.prepare<[number, number]>('DELETE FROM run_steps WHERE run_id = ? AND step > ?'),
      warnings: db.prepare<[string, number]>('UPDATE runs SET warnings = ? WHERE id = ?'),
      backend: db.prepare<[string, number]>('UPDATE runs SET backend = ? WHERE id = ?'),
      running: db.prepare<[], { id: number; pid: number | null }>("SELECT id, pid FROM runs WHERE state = 'running'"),
      interrupted: db.prepare<[string, number, number]>(
        "UPDATE runs SET state = 'failed', error = ?, ended_at = ? WHERE id = ? AND state = 'running'",
      ),
    }
  }

  create(run: NewRun, now = Date.now()): Run {
    const id = Number(
      this.stmt.insert.run({
        ...run,
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
    const r = this.stmt.get.get(id)
    return r && toRun(r)
  }

  /** The run with what only the training code needs (config, checkpoints, warnings). */
  record(id: number): (Run & RunRecordExtras) | undefined {
    const r = this.stmt.get.get(id)
    return r && { ...toRun(r), ...toExtras(r) }
  }

  list(): Run[] {
    return this.stmt.all.all().map(toRun)
  }

  /** Steps arrive many a second: one transaction per batch of them, not per step. */
  addSteps(runId: number, steps: RunStep[]): void {
    if (steps.length === 0) return
    this.db.transaction(() => {
      for (const s of steps) this.stmt.insertStep.run({ runId, ...s })
      const last = steps[steps.length - 1]
      this.stmt.progress.run({ id: runId, step: last.step, epoch: last.epoch })
    })()
  }

  /** An evaluation and the checkpoint it scored; the run's best and last checkpoints move with it. */
  addEval(runId: number, e: RunEval, best: { ap50: number | null; checkpoint: string | null }): void {
    this.db.transaction(() => {
      this.stmt.insertEval.run({ runId, ...e })
      this.stmt.checkpoint.run({
        id: runId,
        checkpoint: e.checkpoint,
        epoch: e.epoch,
        step: e.step,
        bestAp50: best.ap50,
        bestCheckpoint: best.checkpoint,
      })
    })()
  }

  steps(runId: number): RunStep[] {
    return this.stmt.steps.all(runId)
  }

  evals(runId: number): RunEval[] {
    return this.stmt.evals.all(runId)
  }

  end(id: number, state: Exclude<RunState, 'running'>, error: string | null = null, now = Date.now()): void {
    this.stmt.end.run({ id, state, error, endedAt: now })
  }

  /**
   * A resumed run goes back to its last checkpoint: the steps logged after it are dropped, since they are trained
   * again (with the same shuffling) and the curve should not hold both.
   */
  restart(id: number, from: { backend: string; step: number; epoch: number }): void {
    this.db.transaction(() => {
      this.stmt.dropStepsAfter.run(id, from.step)
      this.stmt.restart.run({ id, ...from, pid: process.pid })
    })()
  }

  setBackend(id: number, backend: string): void {
    this.stmt.backend.run(backend, id)
  }

  setWarnings(id: number, warnings: SkippedFile[]): void {
    this.stmt.warnings.run(JSON.stringify(warnings), id)
  }

  /**
   * Runs the studio was in the middle of when it stopped will never finish by themselves: failed, and resumable. A run
   * whose process is still alive is another studio's or a `kindling train`'s, training now, and is left alone (this
   * process's own runs are stale by the time a project is opened: opening stops this studio's jobs first).
   */
  markInterrupted(now = Date.now(), alive: (pid: number) => boolean = processAlive): number {
    let marked = 0
    for (const run of this.stmt.running.all()) {
      if (run.pid !== null && run.pid !== process.pid && alive(run.pid)) continue
      marked += this.stmt.interrupted.run(INTERRUPTED_MESSAGE, now, run.id).changes
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
