// Devices, deployments and benchmark samples (migration 6; runtimes, threads and precision: 12; runs and comparisons:
// 13): `store.devices`.
import type { Deployment, Device, DeviceInfo, HostKeyInfo, LatencySample } from '../../shared/api.js'
import { decode, type Statements } from './statements.js'

export interface NewSshDevice {
  name: string
  host: string
  port: number
  user: string
  keyPath: string
  hostKey: HostKeyInfo
  info?: DeviceInfo | null
  /** The key's passphrase as sealed by the OS keychain, or null for a key without one. */
  sealedPassphrase?: Buffer | null
}

// The pinned host key is two columns; as one JSON object (or null when none is pinned) it decodes with the rest.
const DEVICE_COLUMNS = `id, name, kind, host, port, user, key_path AS keyPath,
  CASE WHEN host_key_fingerprint IS NULL THEN NULL
       ELSE json_object('algorithm', coalesce(host_key_algorithm, ''), 'fingerprint', host_key_fingerprint) END AS hostKey,
  info, paired_at AS pairedAt`
const DEVICE = { json: ['hostKey', 'info'] }

const DEPLOYMENT_SELECT = `SELECT d.id, d.device_id AS deviceId, v.name AS device, d.model, d.model_sha256 AS modelSha256,
  d.random_weights AS randomWeights, d.iterations, d.state, d.message, d.uploaded_bytes AS uploadedBytes, d.info,
  d.summary, json_object('runtime', d.requested_runtime, 'threads', d.requested_threads, 'precision', d.requested_precision)
  AS requested, d.runtime, d.threads, d.precision, d.fallback, (SELECT count(*) FROM samples s WHERE s.deployment_id = d.id) AS samples, d.started_at AS startedAt,
  d.finished_at AS finishedAt,
  CASE WHEN r.id IS NULL THEN NULL ELSE json_object('id', r.id, 'name', r.name, 'epoch', d.run_epoch) END AS run,
  d.compared_with AS comparedWith
  FROM deployments d JOIN devices v ON v.id = d.device_id LEFT JOIN runs r ON r.id = d.run_id`
const DEPLOYMENT = { json: ['info', 'summary', 'requested', 'run'], flags: ['randomWeights'] }

export interface NewDeployment {
  deviceId: number
  model: string
  randomWeights: boolean
  iterations: number
  requested?: Deployment['requested']
  /** The training run whose checkpoint is deployed, and the checkpoint's epoch. */
  run?: { id: number; epoch: number | null } | null
  /** The first deployment of the comparison this one completes. */
  comparedWith?: number | null
}

/** The columns of the deployment fields that change as it runs. */
const DEPLOYMENT_UPDATES = {
  modelSha256: 'model_sha256',
  state: 'state',
  message: 'message',
  uploadedBytes: 'uploaded_bytes',
  info: 'info',
  summary: 'summary',
  runtime: 'runtime',
  threads: 'threads',
  precision: 'precision',
  fallback: 'fallback',
  finishedAt: 'finished_at',
} as const

export class DeviceStore {
  constructor(private readonly sql: Statements) {}

  list(): Device[] {
    return this.sql
      .prepare<[], Record<string, unknown>>(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY kind = 'local' DESC, name`)
      .all()
      .map((r) => decode<Device>(r, DEVICE))
  }

  byName(name: string): Device | undefined {
    const r = this.sql.prepare<[string], Record<string, unknown>>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE name = ?`).get(name)
    return r && decode<Device>(r, DEVICE)
  }

  /** Pair a device, or re-pair one (new address, key or pinned host key). "this-computer" cannot be replaced. */
  pair(d: NewSshDevice, now = Date.now()): Device {
    const upsert = this.sql.prepare(
      `INSERT INTO devices (name, kind, host, port, user, key_path, key_passphrase, host_key_algorithm, host_key_fingerprint,
                            info, paired_at)
       VALUES (@name, 'ssh', @host, @port, @user, @keyPath, @sealedPassphrase, @algorithm, @fingerprint, @info, @pairedAt)
       ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port, user = excluded.user,
         key_path = excluded.key_path, key_passphrase = excluded.key_passphrase,
         host_key_algorithm = excluded.host_key_algorithm,
         host_key_fingerprint = excluded.host_key_fingerprint, info = excluded.info, paired_at = excluded.paired_at
       WHERE kind = 'ssh'`,
    )
    const changes = upsert.run({
      name: d.name,
      host: d.host,
      port: d.port,
      user: d.user,
      keyPath: d.keyPath,
      sealedPassphrase: d.sealedPassphrase ?? null,
      algorithm: d.hostKey.algorithm,
      fingerprint: d.hostKey.fingerprint,
      info: d.info ? JSON.stringify(d.info) : null,
      pairedAt: now,
    }).changes
    if (changes === 0) throw new Error(`"${d.name}" is the name of this computer's built-in device; pick another`)
    return this.byName(d.name)!
  }

  /** Kept apart from Device so that it can never travel to the UI with a device. */
  sealedPassphrase(id: number): Buffer | null {
    return (
      this.sql.prepare<[number], { sealed: Buffer | null }>('SELECT key_passphrase AS sealed FROM devices WHERE id = ?').get(id)?.sealed ?? null
    )
  }

  setInfo(id: number, info: DeviceInfo): void {
    this.sql.prepare<[string, number]>('UPDATE devices SET info = ? WHERE id = ?').run(JSON.stringify(info), id)
  }

  remove(name: string): boolean {
    return this.sql.prepare<[string]>("DELETE FROM devices WHERE name = ? AND kind = 'ssh'").run(name).changes === 1
  }

  startDeployment(d: NewDeployment, now = Date.now()): number {
    const insert = this.sql.prepare(
      `INSERT INTO deployments (device_id, model, random_weights, iterations, state, started_at, requested_runtime,
                                requested_threads, requested_precision, run_id, run_epoch, compared_with)
       VALUES (@deviceId, @model, @randomWeights, @iterations, 'running', @startedAt, @runtime, @threads, @precision,
               @runId, @runEpoch, @comparedWith)`,
    )
    const { requested = { runtime: 'auto', threads: null, precision: 'fp32' }, run = null, comparedWith = null, ...row } = d
    return Number(
      insert.run({
        ...row,
        ...requested,
        randomWeights: d.randomWeights ? 1 : 0,
        startedAt: now,
        runId: run?.id ?? null,
        runEpoch: run?.epoch ?? null,
        comparedWith,
      }).lastInsertRowid,
    )
  }

  /** Set some of a deployment's fields (JSON ones are serialized). */
  updateDeployment(id: number, change: Partial<Pick<Deployment, keyof typeof DEPLOYMENT_UPDATES>>): void {
    const entries = Object.entries(change).filter(([, v]) => v !== undefined)
    if (!entries.length) return
    const sets = entries.map(([k]) => `${DEPLOYMENT_UPDATES[k as keyof typeof DEPLOYMENT_UPDATES]} = @${k}`).join(', ')
    const values = Object.fromEntries(entries.map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : v]))
    this.sql.prepare(`UPDATE deployments SET ${sets} WHERE id = @id`).run({ ...values, id })
  }

  deployment(id: number): Deployment | undefined {
    const r = this.sql.prepare<[number], Record<string, unknown>>(`${DEPLOYMENT_SELECT} WHERE d.id = ?`).get(id)
    return r && decode<Deployment>(r, DEPLOYMENT)
  }

  /** Newest first; all devices, or one. */
  deployments(deviceId: number | null = null, limit = 200): Deployment[] {
    return this.sql
      .prepare<{ deviceId: number | null; limit: number }, Record<string, unknown>>(
        `${DEPLOYMENT_SELECT} WHERE @deviceId IS NULL OR d.device_id = @deviceId ORDER BY d.id DESC LIMIT @limit`,
      )
      .all({ deviceId, limit })
      .map((r) => decode<Deployment>(r, DEPLOYMENT))
  }

  /** One sample, committed as it arrives: a run cut short keeps everything received before the cut. */
  addSample(deploymentId: number, s: LatencySample, now = Date.now()): void {
    this.sql
      .prepare('INSERT OR IGNORE INTO samples (deployment_id, i, ms, temp_c, at) VALUES (@deploymentId, @i, @ms, @tempC, @at)')
      .run({ deploymentId, ...s, at: now })
  }

  samples(deploymentId: number): LatencySample[] {
    return this.sql
      .prepare<[number], LatencySample>('SELECT i, ms, temp_c AS tempC FROM samples WHERE deployment_id = ? ORDER BY i')
      .all(deploymentId)
  }

  /** Runs the studio was in the middle of when it stopped: they will never finish, so say so. */
  markInterrupted(now = Date.now()): void {
    this.sql
      .prepare<[number]>(
        "UPDATE deployments SET state = 'failed', message = 'the studio stopped during this run', finished_at = ? WHERE state = 'running'",
      )
      .run(now)
  }
}
