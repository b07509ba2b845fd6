// A real, throw-away OpenSSH server on 127.0.0.1 for the deploy tests: its own host key, one authorized client key, and
// a private "home" so nothing the tests upload lands in the real ~/.kindling of the user running them.
//
// The tests run as root (sshd needs to be root to switch users, and we log in as ourselves). Three sshd_config lines
// make the far side a sandbox without ForceCommand (which would change what an exec runs, defeating the point):
//   SetEnv HOME=…  — the studio resolves ~/.kindling from the remote $HOME, so uploads land in the temp dir;
//   SetEnv PATH=…  — a wrapper dir first on PATH holds the `node` the far side runs (the arm64 Node under qemu when
//                    it is installed: an "emulated Pi"; otherwise this Node);
//   StrictModes no — the temp dir is not owned the way sshd insists for a real home.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { tempDir } from './fixtures.js'

export const ARM64_NODE = '/opt/kindling/arm64-node/node'

export interface Sshd {
  host: '127.0.0.1'
  port: number
  user: string
  /** The client's private key (OpenSSH format, mode 0600) that the server accepts. */
  clientKey: string
  /** `SHA256:…` of the server's current host key, as `ssh-keygen -l` prints it. */
  hostKeyFingerprint(): string
  /** The far side's $HOME: uploads go to `${home}/.kindling`. */
  home: string
  /** The `node` binary the far side runs. */
  remoteNode: string
  /** Replace the host key with a new one and restart the server on the same port. */
  rotateHostKey(): Promise<void>
  stop(): Promise<void>
}

export interface SshdOptions {
  /** The `node` the far side runs; default: the arm64 Node under qemu if installed and KINDLING_PI_NODE allows it, else this Node. */
  remoteNode?: string
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  // sshd insists on its privilege-separation dir, which the Debian service creates at boot; containers lack it.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const dir = tempDir('kindling-sshd-')
  const home = path.join(dir, 'home')
  const bin = path.join(dir, 'bin')
  fs.mkdirSync(home)
  fs.mkdirSync(bin)
  const remoteNode = options.remoteNode ?? process.execPath
  fs.symlinkSync(remoteNode, path.join(bin, 'node'))

  const hostKey = path.join(dir, 'ssh_host_ed25519_key')
  const clientKey = path.join(dir, 'client_ed25519')
  keygen(hostKey)
  keygen(clientKey)
  fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'))

  const port = await freePort()
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim()
  const config = path.join(dir, 'sshd_config')
  fs.writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      `SetEnv HOME=${home} PATH=${bin}:/usr/local/bin:/usr/bin:/bin`,
      'Subsystem sftp internal-sftp',
      // Quick to notice a client that went away, so a cut connection's server side ends within the test.
      'ClientAliveInterval 5',
      'ClientAliveCountMax 2',
      '',
    ].join('\n'),
  )

  let child: ChildProcess
  const start = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    let log = ''
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
    await waitForPort(port, () => (child.exitCode !== null ? `sshd exited (${child.exitCode}): ${log}` : null))
  }
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await start()

  return {
    host: '127.0.0.1',
    port,
    user,
    clientKey,
    home,
    remoteNode,
    hostKeyFingerprint: () => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1],
    async rotateHostKey() {
      await stopChild()
      fs.rmSync(hostKey)
      fs.rmSync(`${hostKey}.pub`)
      keygen(hostKey)
      await start()
    },
    stop: stopChild,
  }
}

function keygen(file: string) {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kindling-test', '-f', file])
}

/** A port the kernel just handed out and released: good enough on a test machine. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, failed: () => string | null, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const why = failed()
    if (why) throw new Error(why)
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * A TCP relay in front of sshd that can cut the connection: after `cutAfterBytes` client→server bytes, or on demand.
 * This is how a test pulls the cable mid-upload or mid-benchmark.
 */
export interface CuttingProxy {
  port: number
  /** Bytes relayed client→server so far. */
  readonly sent: number
  cut(): void
  /** Stop relaying in both directions but keep the sockets open: a device that died without a word (power cut). */
  freeze(): void
  close(): Promise<void>
}

export async function cuttingProxy(target: number, cutAfterBytes = Infinity): Promise<CuttingProxy> {
  const sockets = new Set<net.Socket>()
  let sent = 0
  let frozen = false
  const cut = () => {
    for (const s of sockets) s.destroy()
  }
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1')
    sockets.add(client).add(upstream)
    client.on('data', (d: Buffer) => {
      if (frozen) return
      sent += d.length
      if (sent > cutAfterBytes) return cut()
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => {
      if (!frozen) client.write(d)
    })
    for (const s of [client, upstream]) {
      s.on('error', () => {})
      s.on('close', () => {
        client.destroy()
        upstream.destroy()
        sockets.delete(s)
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    get sent() {
      return sent
    },
    cut,
    freeze: () => {
      frozen = true
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut()
        server.close(() => resolve())
      }),
  }
}
