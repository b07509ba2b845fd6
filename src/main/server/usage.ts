// Command-line conventions every `kindling` command shares: strict option parsing, and exit codes — 0 when the command
// did its job, 1 with a one-line reason when it could not, 2 for a command line that does not parse.
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>>

/** A command line that does not parse: exit 2, with a pointer to the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export type Command = (args: string[]) => Promise<number>

/** Run a command, turning what it throws into a one-line reason on stderr and its exit code. */
export async function runCommand(command: Command, args: string[], usageHint = 'run `kindling help` for usage'): Promise<number> {
  try {
    return await command(args)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`kindling: ${message.split('\n')[0]}`)
    if (error instanceof UsageError) {
      console.error(usageHint)
      return 2
    }
    return 1
  }
}

/** parseArgs, strict, with unexpected arguments and malformed options reported as usage errors. */
export function parseOptions<T extends Options>(args: string[], options: T, positionals = 0): Parsed<T> {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true })
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`)
    }
    return parsed
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError((error as Error).message)
  }
}
