// `npm run bench -- NAME [args]` runs tests/bench/NAME.ts: it prints a readable table and ends with one line
// `RESULT {json}`. Benchmarks compare within one run (ratios), because this machine is shared and noisy.
import fs from 'node:fs'
import path from 'node:path'

const [name, ...args] = process.argv.slice(2)
const here = import.meta.dirname
const available = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'util.ts'].includes(f))
  .map((f) => f.slice(0, -3))
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`)
  process.exit(2)
}
const bench = (await import(path.join(here, `${name}.ts`))) as { default: (args: string[]) => Promise<object> }
const result = await bench.default(args)
console.log(`RESULT ${JSON.stringify(result)}`)
