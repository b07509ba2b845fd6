#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so `npx kindling` works on a fresh clone without a build.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main/server/cli.ts')
process.exitCode = await main(process.argv.slice(2))
