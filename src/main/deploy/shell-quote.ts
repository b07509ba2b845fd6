// SSH has no argv: an exec request carries one string, and the far side hands it to the user's login shell. So every
// command the studio runs on a device is built here, and every argument is POSIX single-quoted — inside single quotes a
// shell expands nothing ($, `, \, ;, newlines are all literal); the only character that needs care is the single quote
// itself, which is closed, escaped and reopened: ' → '\''. Nothing else in src/main/deploy/ builds a command string.

/** One argument, single-quoted for a POSIX shell (sh, bash, dash, zsh). NUL cannot be passed in a command at all. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument for the device contains a NUL character')
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** A command line of quoted words. `program` is quoted too: the first word is never looked up as shell syntax. */
export function shellCommand(program: string, ...args: string[]): string {
  return [program, ...args].map(shellQuote).join(' ')
}
