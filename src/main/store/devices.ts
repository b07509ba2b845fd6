// Devices, deployments and benchmark samples (migration 6). A separate accessor over the project's database, so the
// deploy code reads and writes its tables without widening the Store class.
import type { Database } from 'better-sqlite3'
import type { DeviceInfo, LatencySummary } from '../../shared/api.js'

export interface HostKeyPin {
  algorithm: string
  fingerprint: string
}

export interface DeviceRow {
  id: number
  name: string
  kind: 'ssh' | 'local'
  host: string | null
  port: number | null
  user: string | null
  keyPath: string | null
  hostKey: HostKeyPin | null
  info: DeviceInfo | null
  pairedAt: number
}

export interface NewSshDevice {
  name: string
  host: string
  port: number
  user: string
  keyPath: string
  hostKey: HostKeyPin
  info?: DeviceInfo | null
  /** The key's passphrase as sealed by the OS keychain, or null for a key without one. */
  sealedPassphrase?: Buffer | null
}

export type DeploymentState = 'running' | 'done' | 'cancelled' | 'failed'

export interface DeploymentRow {
  id: number
  deviceId: number
  device: string
  model: string
  modelSha256: string | null
  randomWeights: boolean
  iterations: number
  state: DeploymentState
  message: string | null
  uploadedBytes: number
  info: Record<string, unknown> | null
  summary: LatencySummary | null
  samples: number
  startedAt: number
  finishedAt: number | null
}

export interface SampleRow {
  i: number
  ms: number
  tempC: number | null
}

interface DeviceRecord {
  id: number
  name: string
  kind: 'ssh' | 'local'
  host: string | null
  port: number | null
  user: string | null
  key_path: string | null
  key_passphrase: Buffer | null
  host_key_algorithm: string | null
  host_key_fingerprint: string | null
  info: string | null
  paired_at: number
}

interface DeploymentRecord {
  id: number
  device_id: number
  device: string
  model: string
  model_sha256: string | null
  random_weights: number
  iterations: number
  state: DeploymentState
  message: string | null
  uploaded_bytes: number
  info: string | null
  summary: string | null
  samples: number
  started_at: number
  finished_at: number | null
}

const json = (s: string | null) => (s === null ? null : (JSON.parse(s) as Record<string, unknown>))

const toDevice = (r: DeviceRecord): DeviceRow => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  host: r.host,
  port: r.port,
  user: r.user,
  keyPath: r.key_path,
  hostKey:
    r.host_key_fingerprint === null ? null : { algorithm: r.host_key_algorithm ?? '', fingerprint: r.host_key_fingerprint },
  info: json(r.info) as DeviceInfo | null,
  pairedAt: r.paired_at,
})

const toDeployment = (r: DeploymentRecord): DeploymentRow => ({
  id: r.id,
  deviceId: r.device_id,
  device: r.device,
  model: r.model,
  modelSha256: r.model_sha256,
  randomWeights: r.random_weights === 1,
  iterations: r.iterations,
  state: r.state,
  message: r.message,
  uploadedBytes: r.uploaded_bytes,
  info: json(r.info),
  summary: json(r.summary) as LatencySummary | null,
  samples: r.samples,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
})

const DEPLOYMENT_SELECT = `SELECT d.*, v.name AS device,
  (SELECT count(*) FROM samples s WHERE s.deployment_id = d.id) AS samples
  FROM deployments d JOIN devices v ON v.id = d.device_id`

export class DeviceStore {
  private readonly stmt

  constructor(private readonly db: Database) {
    this.stmt = {
      all: db.prepare<[], DeviceRecord>("SELECT * FROM devices ORDER BY kind = 'local' DESC, name"),
      byName: db.prepare<[string], DeviceRecord>('SELECT * FROM devices WHERE name = ?'),
      upsert: db.prepare(
        `INSERT INTO devices (name, kind, host, port, user, key_path, key_passphrase, host_key_algorithm, host_key_fingerprint,
                              info, paired_at)
         VALUES (@name, 'ssh', @host, @port, @user, @keyPath, @sealedPassphrase, @algorithm, @fingerprint, @info, @pairedAt)
         ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port, user = excluded.user,
           key_path = excluded.key_path, key_passphrase = excluded.key_passphrase,
           host_key_algorithm = excluded.host_key_algorithm,
           host_key_fingerprint = excluded.host_key_fingerprint, info = excluded.info, paired_at = excluded.paired_at
         WHERE kind = 'ssh'`,
      ),
      setInfo: db.prepare<[string, number]>('UPDATE devices SET info = ? WHERE id = ?'),
      sealedPassphrase: db.prepare<[number], { key_passphrase: Buffer | null }>('SELECT key_passphrase FROM devices WHERE id = ?'),
      remove: db.prepare<[string]>("DELETE FROM devices WHERE name = ? AND kind = 'ssh'"),
      insertDeployment: db.prepare(
        `INSERT INTO deployments (device_id, model, random_weights, iterations, state, started_at)
         VALUES (@deviceId, @model, @randomWeights, @iterations, 'running', @startedAt)`,
      ),
      deployment: db.prepare<[number], DeploymentRecord>(`${DEPLOYMENT_SELECT} WHERE d.id = ?`),
      deployments: db.prepare<[{ deviceId: number | null; limit: number }], DeploymentRecord>(
        `${DEPLOYMENT_SELECT} WHERE @deviceId IS NULL OR d.device_id = @deviceId ORDER BY d.id DESC LIMIT @limit`,
      ),
      insertSample: db.prepare(
        'INSERT OR IGNORE INTO samples (deployment_id, i, ms, temp_c, at) VALUES (@deploymentId, @i, @ms, @tempC, @at)',
      ),
      samples: db.prepare<[number], SampleRow>(
        'SELECT i, ms, temp_c AS tempC FROM samples WHERE deployment_id = ? ORDER BY i',
      ),
      interrupted: db.prepare<[number]>(
        "UPDATE deployments SET state = 'failed', message = 'the studio stopped during this run', finished_at = ? WHERE state = 'running'",
      ),
    }
  }

  list(): DeviceRow[] {
    return this.stmt.all.all().map(toDevice)
  }

  byName(name: string): DeviceRow | undefined {
    const r = this.stmt.byName.get(name)
    return r && toDevice(r)
  }

  /** Pair a device, or re-pair one (new address, key or pinned host key). "this-computer" cannot be replaced. */
  pair(d: NewSshDevice, now = Date.now()): DeviceRow {
    const changes = this.stmt.upsert.run({
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

  /** Kept apart from DeviceRow so that it can never travel to the UI with a device. */
  sealedPassphrase(id: number): Buffer | null {
    return this.stmt.sealedPassphrase.get(id)?.key_passphrase ?? null
  }

  setInfo(id: number, info: DeviceInfo): void {
    this.stmt.setInfo.run(JSON.stringify(info), id)
  }

  remove(name: string): boolean {
    return this.stmt.remove.run(name).changes === 1
  }

  startDeployment(d: { deviceId: number; model: string; randomWeights: boolean; iterations: number }, now = Date.now()): number {
    return Number(
      this.stmt.insertDeployment.run({ ...d, randomWeights: d.randomWeights ? 1 : 0, startedAt: now }).lastInsertRowid,
    )
  }

  /** Set some of a deployment's fields (JSON ones are serialized). */
  updateDeployment(
    id: number,
    change: Partial<Pick<DeploymentRow, 'modelSha256' | 'state' | 'message' | 'uploadedBytes' | 'info' | 'summary' | 'finishedAt'>>,
  ): void {
    const columns: Record<string, string> = {
      modelSha256: 'model_sha256',
      state: 'state',
      message: 'message',
      uploadedBytes: 'uploaded_bytes',
      info: 'info',
      summary: 'summary',
      finishedAt: 'finished_at',
    }
    const entries = Object.entries(change).filter(([, v]) => v !== undefined)
    if (!entries.length) return
    const sets = entries.map(([k]) => `${columns[k]} = @${k}`).join(', ')
    const values = Object.fromEntries(
      entries.map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : v]),
    )
    this.db.prepare(`UPDATE deployments SET ${sets} WHERE id = @id`).run({ ...values, id })
  }

  deployment(id: number): DeploymentRow | undefined {
    const r = this.stmt.deployment.get(id)
    return r && toDeployment(r)
  }

  /** Newest first; all devices, or one. */
  deployments(deviceId: number | null = null, limit = 200): DeploymentRow[] {
    return this.stmt.deployments.all({ deviceId, limit }).map(toDeployment)
  }

  /** One sample, committed as it arrives: a run cut short keeps everything received before the cut. */
  addSample(deploymentId: number, s: SampleRow, now = Date.now()): void {
    this.stmt.insertSample.run({ deploymentId, ...s, at: now })
  }

  samples(deploymentId: number): SampleRow[] {
    return this.stmt.samples.all(deploymentId)
  }

  /** Runs the studio was in the middle of when it stopped: they will never finish, so say so. */
  markInterrupted(now = Date.now()): void {
    this.stmt.interrupted.run(now)
  }
}
