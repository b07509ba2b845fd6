// What goes up to a device for ONNX Runtime: the studio's onnxruntime-node cut down to one platform and architecture,
// laid out as node_modules/… under names with sub-folders, which the content-addressed upload makes on the device.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ortArtifact, studioOrt } from '../../../src/main/deploy/ort-package.js'
import { artifactOfFiles, subfolders } from '../../../src/main/deploy/upload.js'
import { tempDir } from '../../helpers/fixtures.js'

describe('the ONNX Runtime artifact', () => {
  it("is the studio's onnxruntime-node with only the binary for the device, and onnxruntime-common, as node_modules/…", () => {
    const ort = studioOrt()!
    expect(ort.version).toBe(JSON.parse(fs.readFileSync(path.join(ort.root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version)
    const arm = ortArtifact('linux', 'arm64')!
    const names = arm.files.map((f) => f.name)
    expect(names).toContain('node_modules/onnxruntime-node/package.json')
    expect(names).toContain('node_modules/onnxruntime-node/dist/index.js')
    expect(names).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node')
    expect(names).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1')
    expect(names).toContain('node_modules/onnxruntime-common/package.json')
    expect(names).toContain('node_modules/onnxruntime-common/dist/cjs/index.js')
    // No other architecture's binaries, and none of the install-time dependencies.
    expect(names.filter((n) => n.includes('/bin/') && !n.includes('/linux/arm64/'))).toEqual([])
    expect(names.every((n) => /^node_modules\/onnxruntime-(node|common)\//.test(n))).toBe(true)
    // Each version and architecture is its own artifact; the same one is the same sha256 every time.
    expect(ortArtifact('linux', 'x64')!.sha256).not.toBe(arm.sha256)
    expect(ortArtifact('linux', 'arm64')!.sha256).toBe(arm.sha256)
  })

  it('does not exist for a device ONNX Runtime has no binary for (32-bit ARM), nor without onnxruntime-node', () => {
    expect(ortArtifact('linux', 'arm')).toBeNull()
    expect(ortArtifact('linux', 'ia32')).toBeNull()
    expect(ortArtifact('linux', 'arm64', null)).toBeNull()
  })
})

describe('artifact file names', () => {
  it('may have sub-folders, each made parent first', () => {
    expect(subfolders([{ name: 'a/b/c.js' }, { name: 'x.txt' }, { name: 'a/d.js' }, { name: 'e/f/g/h' }])).toEqual([
      'a',
      'e',
      'a/b',
      'e/f',
      'e/f/g',
    ])
  })

  it("never lead out of the artifact's folder", () => {
    const file = path.join(tempDir(), 'f')
    fs.writeFileSync(file, 'x')
    for (const name of ['../f', 'a/../../f', '/etc/f', 'a//f', './f', 'a\\f']) {
      expect(() => artifactOfFiles('model', [{ path: file, name }]), name).toThrow(/is not a plain relative path/)
    }
    expect(artifactOfFiles('model', [{ path: file, name: 'a/b/f' }]).files[0].name).toBe('a/b/f')
  })
})
