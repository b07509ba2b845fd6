// Commands on a device over SSH exec channels. Each command string comes from shellCommand() (every argument quoted)
// or is a constant written here; nothing from a user is ever spliced in unquoted.
import type ssh2 from 'ssh2'
import { DeviceError } from './connection.js'

export interface Finished {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
}

/** Run a short command to its end and collect its output. */
export function run(client: ssh2.Client, command: string, { timeoutMs = 30_000 } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(new DeviceError(`the device refused to run a command: ${error.message}`))
      let stdout = ''
      let stderr = ''
      const timer = setTimeout(() => {
        channel.close()
        reject(new DeviceError(`a command on the device did not finish within ${timeoutMs / 1000} s`))
      }, timeoutMs)
      channel.on('data', (d: Buffer) => (stdout += d.toString()))
      channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      let code: number | null = null
      let signal: string | null = null
      channel.on('exit', (c: number | null, s?: string) => {
        code = c
        signal = s ?? null
      })
      channel.on('close', () => {
        clearTimeout(timer)
        resolve({ code, signal, stdout, stderr })
      })
    })
  })
}

/** Run a command that must succeed; the error carries the first line of what it printed on stderr. */
export async function runOk(client: ssh2.Client, command: string, what: string, options?: { timeoutMs?: number }): Promise<string> {
  const r = await run(client, command, options)
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n')[0] || `exit code ${r.code ?? r.signal}`
    throw new DeviceError(`${what} failed on the device: ${why}`)
  }
  return r.stdout
}

/**
 * Start a long-running command and hand each stdout line to `onLine` as it arrives. The command runs behind
 * `echo $$; exec …`, so the first line is the remote process id — which is how cancel reaches the process even where
 * the SSH server ignores signal requests. Resolves when the command ends (or the connection drops: then rejects).
 */
export function stream(
  client: ssh2.Client,
  command: string,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<Finished & { cancelled: boolean }> {
  return new Promise((resolve, reject) => {
    client.exec(`echo $$; exec ${command}`, (error, channel) => {
      if (error) return reject(new DeviceError(`the device refused to start the runner: ${error.message}`))
      let pid: number | null = null
      let buffered = ''
      let stderr = ''
      let code: number | null = null
      let exitSignal: string | null = null
      let cancelled = false
      const cancel = () => {
        cancelled = true
        channel.signal('TERM')
        // Belt and braces: a kill by pid on a second channel, for servers that drop signal requests.
        if (pid !== null) client.exec(`kill -TERM ${pid} 2>/dev/null`, (e, ch) => (e ? undefined : ch.resume()))
        setTimeout(() => channel.close(), 3_000).unref()
      }
      if (signal?.aborted) cancel()
      signal?.addEventListener('abort', cancel, { once: true })
      channel.on('data', (d: Buffer) => {
        buffered += d.toString()
        let nl: number
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trimEnd()
          buffered = buffered.slice(nl + 1)
          if (pid === null && /^\d+$/.test(line)) {
            pid = Number(line)
            if (cancelled) cancel()
            continue
          }
          if (line) onLine(line)
        }
      })
      channel.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
      channel.on('exit', (c: number | null, s?: string) => {
        code = c
        exitSignal = s ?? null
      })
      channel.on('close', () => {
        signal?.removeEventListener('abort', cancel)
        if (buffered.trim()) onLine(buffered.trim())
        resolve({ code, signal: exitSignal, stdout: '', stderr, cancelled })
      })
    })
  })
}
