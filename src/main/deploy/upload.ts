// Content-addressed uploads. An artifact (the model folder, the runner bundle) is named by the SHA-256 of its manifest
// (`sha256  name` per file, sorted — the format sha256sum prints), and lives on the device at ~/.kindling/<sha256>/.
// It goes up to `<sha256>.tmp-<random>/`, each file is checked with sha256sum on the device, and only then is the folder
// renamed into place. So the final name exists only for a complete, verified copy: a second deploy of the same model
// finds it and uploads nothing, and an upload cut half-way leaves only a .tmp- folder that nothing ever runs. A file's
// name may have sub-folders (ONNX Runtime goes up as node_modules/onnxruntime-node/…): they are made inside the
// temporary folder, so the one rename still publishes the whole tree at once.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type ssh2 from 'ssh2'
import { DeviceError } from './connection.js'
import { runOk } from './remote.js'
import { shellCommand, shellQuote } from './shell-quote.js'

export interface ArtifactFile {
  name: string
  path: string
  bytes: number
  sha256: string
}

export interface Artifact {
  /** What it is, for messages: "model", "runner". */
  label: string
  sha256: string
  files: ArtifactFile[]
  bytes: number
}

function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/**
 * An artifact of the given files, uploaded under their base names, or the name given — which may be a relative path
 * with "/" between sub-folders, never leading out of the artifact's folder.
 */
export function artifactOfFiles(label: string, files: (string | { path: string; name: string })[]): Artifact {
  const entries = files
    .map((f) => (typeof f === 'string' ? { path: f, name: path.basename(f) } : f))
    .map((f) => {
      const parts = f.name.split('/')
      if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
        throw new Error(`${label} file name "${f.name}" is not a plain relative path`)
      }
      return f
    })
    .map((f) => ({ name: f.name, path: f.path, bytes: fs.statSync(f.path).size, sha256: sha256File(f.path) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const manifest = entries.map((e) => `${e.sha256}  ${e.name}\n`).join('')
  return {
    label,
    sha256: crypto.createHash('sha256').update(manifest).digest('hex'),
    files: entries,
    bytes: entries.reduce((s, e) => s + e.bytes, 0),
  }
}

/** Every regular file directly in `dir` (a TF.js layers model is model.json plus its weight shards). */
export function artifactOfDir(label: string, dir: string): Artifact {
  let names: fs.Dirent[]
  try {
    names = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    throw new Error(`${label} folder not found: ${dir}`)
  }
  const files = names.filter((d) => d.isFile()).map((d) => path.join(dir, d.name))
  if (!files.length) throw new Error(`${label} folder ${dir} has no files`)
  return artifactOfFiles(label, files)
}

/** The device's $HOME, from the device itself (SFTP and exec may start in different folders; absolute paths agree). */
export async function remoteHome(client: ssh2.Client): Promise<string> {
  const home = (await runOk(client, 'printf %s "$HOME"', 'reading $HOME')).trim()
  if (!home.startsWith('/')) throw new DeviceError(`the device reports no usable home folder ($HOME is "${home}")`)
  return home
}

export interface Placed {
  dir: string
  uploadedBytes: number
}

/**
 * Make sure `artifact` is on the device under `root`: reuse a verified copy, or upload, verify and rename. `onBytes`
 * reports progress (bytes sent of this artifact).
 */
export async function place(
  client: ssh2.Client,
  sftp: ssh2.SFTPWrapper,
  root: string,
  artifact: Artifact,
  onBytes: (sent: number, total: number) => void = () => {},
): Promise<Placed> {
  const final = `${root}/${artifact.sha256}`
  if (await isDir(sftp, final)) return { dir: final, uploadedBytes: 0 }
  await mkdirp(sftp, root)
  await removeStale(client, sftp, root, artifact.sha256)

  const tmp = `${final}.tmp-${crypto.randomBytes(6).toString('hex')}`
  await call<void>((cb) => sftp.mkdir(tmp, { mode: 0o700 }, cb), `creating ${tmp}`)
  for (const dir of subfolders(artifact.files)) {
    await call<void>((cb) => sftp.mkdir(`${tmp}/${dir}`, { mode: 0o755 }, cb), `creating ${tmp}/${dir}`)
  }
  let sent = 0
  for (const file of artifact.files) {
    const base = sent
    await call<void>(
      (cb) => sftp.fastPut(file.path, `${tmp}/${file.name}`, { mode: 0o644, step: (done) => onBytes(base + done, artifact.bytes) }, cb),
      `uploading ${file.name}`,
    )
    sent += file.bytes
  }

  // Hash each file on the device, reading it by redirection so that no file name appears in sha256sum's output.
  const check = artifact.files.map((f) => `sha256sum < ${shellQuote(`${tmp}/${f.name}`)}`).join(' && ')
  const out = await runOk(client, check, `checking the uploaded ${artifact.label}`)
  const got = out
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/)[0])
  const bad = artifact.files.find((f, i) => got[i] !== f.sha256)
  if (bad) {
    await runOk(client, shellCommand('rm', '-rf', '--', tmp), 'removing a bad upload').catch(() => {})
    throw new DeviceError(`the ${artifact.label} file ${bad.name} arrived damaged on the device (SHA-256 mismatch); deploy again`)
  }
  await call<void>((cb) => sftp.chmod(tmp, 0o755, cb), `finishing ${tmp}`)
  try {
    await call<void>((cb) => sftp.rename(tmp, final, cb), `moving the ${artifact.label} into place`)
  } catch (error) {
    // Another deploy finished the same artifact first: theirs is verified too, so use it and drop ours.
    if (!(await isDir(sftp, final))) throw error
    await runOk(client, shellCommand('rm', '-rf', '--', tmp), 'removing a duplicate upload').catch(() => {})
  }
  return { dir: final, uploadedBytes: artifact.bytes }
}

/** Every folder the files' names go through, each parent before its children. */
export function subfolders(files: readonly { name: string }[]): string[] {
  const dirs = new Set<string>()
  for (const f of files) {
    const parts = f.name.split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1))
}

/** Half-finished uploads of this artifact from earlier, cut-off deploys (left alone for a minute: one may be live). */
async function removeStale(client: ssh2.Client, sftp: ssh2.SFTPWrapper, root: string, sha256: string) {
  const entries = await call<ssh2.FileEntryWithStats[]>((cb) => sftp.readdir(root, cb), `listing ${root}`)
  const cutoff = Date.now() / 1000 - 60
  const stale = entries.filter((e) => e.filename.startsWith(`${sha256}.tmp-`) && (e.attrs.mtime ?? 0) < cutoff)
  if (stale.length) {
    await runOk(client, shellCommand('rm', '-rf', '--', ...stale.map((e) => `${root}/${e.filename}`)), 'removing old partial uploads')
  }
}

async function mkdirp(sftp: ssh2.SFTPWrapper, dir: string) {
  if (await isDir(sftp, dir)) return
  await call<void>((cb) => sftp.mkdir(dir, { mode: 0o755 }, cb), `creating ${dir}`).catch(async (error) => {
    if (!(await isDir(sftp, dir))) throw error
  })
}

function isDir(sftp: ssh2.SFTPWrapper, p: string): Promise<boolean> {
  return new Promise((resolve) => sftp.stat(p, (error, stats) => resolve(!error && stats.isDirectory())))
}

function call<T>(start: (cb: (error: Error | undefined | null, value?: T) => void) => void, what: string): Promise<T> {
  return new Promise((resolve, reject) =>
    start((error, value) => (error ? reject(new DeviceError(`${what} on the device failed: ${error.message}`)) : resolve(value as T))),
  )
}
