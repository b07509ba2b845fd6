// ONNX Runtime for the device: the studio's own onnxruntime-node, cut down to what one device runs — its JavaScript,
// the native binding and library for that device's OS and architecture, and onnxruntime-common — laid out as
// node_modules/… so the runner's --ort folder resolves it like any package. It goes up content-addressed like the
// runner (uploaded once per device and version); a device it has no binary for gets nothing and the runner's
// --runtime auto falls back to TF.js, saying why.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { type Artifact, artifactOfFiles } from './upload.js'

export interface StudioOrt {
  /** The folder holding node_modules/onnxruntime-node: what the runner's --ort takes. */
  root: string
  /** onnxruntime-node's package folder, and onnxruntime-common's. */
  nodeDir: string
  commonDir: string
  version: string
}

let cached: StudioOrt | null | undefined

/** The studio's installed onnxruntime-node, or null when it is not installed. */
export function studioOrt(): StudioOrt | null {
  if (cached !== undefined) return cached
  try {
    // (Not "const require = …": electron-vite's ESM shim takes `require.resolve(` for CommonJS and breaks the bundle.)
    const fromHere = createRequire(import.meta.url)
    const nodeDir = path.dirname(fromHere.resolve('onnxruntime-node/package.json'))
    // onnxruntime-common's package.json is not in its exports map: find its folder from its entry point.
    // (dist/cjs has a package.json of its own, saying only that it is CommonJS.)
    let commonDir = path.dirname(createRequire(path.join(nodeDir, 'package.json')).resolve('onnxruntime-common'))
    while (packageName(commonDir) !== 'onnxruntime-common') {
      if (path.dirname(commonDir) === commonDir) throw new Error('onnxruntime-common has no package.json')
      commonDir = path.dirname(commonDir)
    }
    const { version } = JSON.parse(fs.readFileSync(path.join(nodeDir, 'package.json'), 'utf8')) as { version: string }
    cached = { root: path.dirname(path.dirname(nodeDir)), nodeDir, commonDir, version }
  } catch {
    cached = null
  }
  return cached
}

function packageName(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name
  } catch {
    return undefined
  }
}

/** Every regular file under `dir`, as paths relative to it with "/" between folders. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const rel = prefix ? `${prefix}/${d.name}` : d.name
    if (d.isDirectory()) return filesUnder(path.join(dir, d.name), rel)
    return d.isFile() ? [rel] : []
  })
}

const artifacts = new Map<string, Artifact | null>()

/**
 * The ONNX Runtime artifact for a device whose node reports `platform`/`arch` (process.platform, process.arch), or
 * null when the studio has no onnxruntime-node or the package has no binary for it (32-bit ARM, for one).
 */
export function ortArtifact(platform: string, arch: string, ort = studioOrt()): Artifact | null {
  if (ort === null) return null
  const key = `${ort.nodeDir}\0${platform}\0${arch}`
  if (artifacts.has(key)) return artifacts.get(key)!
  const binDir = path.join('bin', 'napi-v6', platform, arch)
  let artifact: Artifact | null = null
  if (fs.existsSync(path.join(ort.nodeDir, binDir, 'onnxruntime_binding.node'))) {
    const take = (packageDir: string, name: string, parts: string[]) =>
      parts.flatMap((part) => {
        const full = path.join(packageDir, part)
        const rels = fs.statSync(full).isDirectory() ? filesUnder(full).map((f) => `${part.split(path.sep).join('/')}/${f}`) : [part]
        return rels.map((rel) => ({ path: path.join(packageDir, rel), name: `node_modules/${name}/${rel}` }))
      })
    artifact = artifactOfFiles('ONNX Runtime', [
      ...take(ort.nodeDir, 'onnxruntime-node', ['package.json', 'dist', binDir]),
      ...take(ort.commonDir, 'onnxruntime-common', ['package.json', 'dist']),
    ])
  }
  artifacts.set(key, artifact)
  return artifact
}
