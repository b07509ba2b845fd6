#!/usr/bin/env node
// Builds the on-device runner (src/runner/) into ONE file a Raspberry Pi runs with its own node ≥ 18 — no
// node_modules on the device. The wasm binaries ride inside as data: URLs (see src/runner/backend.ts); ONNX Runtime
// does not (native): the studio uploads it beside the runner and passes --ort.
//
//   node scripts/build-runner.js [--outfile FILE]     default resources/runner/kindling-runner.cjs
import { build } from 'esbuild'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function outfileFromArgs(argv) {
  const i = argv.indexOf('--outfile')
  if (i < 0) return path.join(root, 'resources/runner/kindling-runner.cjs')
  if (!argv[i + 1]) throw new Error('--outfile needs a file name')
  return path.resolve(argv[i + 1])
}

const outfile = outfileFromArgs(process.argv.slice(2))
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const started = Date.now()
await build({
  entryPoints: [path.join(root, 'src/runner/index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  minify: true,
  legalComments: 'none',
  loader: { '.wasm': 'dataurl' },
  define: { __KINDLING_RUNNER_VERSION__: JSON.stringify(version) },
  // tfjs-core falls back to node-fetch only where there is no global fetch, which node ≥ 18 always has. ONNX Runtime
  // is native code for one OS and architecture: loaded at run time (src/runner/ort-runtime.ts), never bundled.
  external: ['node-fetch', 'onnxruntime-node', 'onnxruntime-common'],
  banner: { js: `// Kindling Studio device runner ${version}. Built from src/runner/; run: node ${path.basename(outfile)} --model DIR` },
  logLevel: 'warning',
})
const size = fs.statSync(outfile).size
console.log(`runner: ${path.relative(process.cwd(), outfile)} ${(size / 1e6).toFixed(2)} MB in ${Date.now() - started} ms`)
