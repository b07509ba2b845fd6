// stdout belongs to the JSON lines: whoever reads them (the studio, over SSH) parses every line. TF.js and emscripten
// print advice and warnings with console.*, so all of console goes to stderr. Imported first, before TF.js loads.
import { format } from 'node:util'

for (const method of ['log', 'info', 'warn', 'debug'] as const) {
  console[method] = (...args: unknown[]) => {
    process.stderr.write(format(...args) + '\n')
  }
}

// The reader went away (the SSH channel closed): there is no one left to report to.
process.stdout.on('error', () => process.exit(1))

/** One report line on stdout. */
export function emit(line: { type: 'info' | 'outputs' | 'sample' | 'summary' | 'error' } & Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}
