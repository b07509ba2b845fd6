// One SSH connection to a device, with the host key checked against the pin before any authentication happens.
// Trust on first use, made explicit: an unpinned key is refused unless the caller accepts it (the fingerprint the user
// saw, or — from the CLI's --accept-host-key — whatever the device presents); a pinned key that changed is always
// refused, with both fingerprints, until the device is paired again.
import ssh2 from 'ssh2'
import { type HostKey, hostKeyOf, readPrivateKey } from './keys.js'

export interface SshTarget {
  /** The device's name, for messages. */
  name: string
  host: string
  port: number
  user: string
  keyPath: string
  /** For a key protected by one (opened from the OS keychain just for this connection). */
  passphrase?: string
}

/** How to judge the host key: against a pin, or (pairing) accept an offered key — any, or one fingerprint. */
export type HostTrust = { pinned: HostKey } | { accept: true | string } | { accept?: undefined }

export class HostKeyError extends Error {
  constructor(
    message: string,
    readonly reason: 'unknown' | 'changed',
    readonly offered: HostKey,
    readonly pinned?: HostKey,
  ) {
    super(message)
    this.name = 'HostKeyError'
  }
}

/** The connection to a device failed or dropped: the message says which device and why, in the user's words. */
export class DeviceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DeviceError'
  }
}

export interface Connection {
  client: ssh2.Client
  hostKey: HostKey
  /** Settles when the connection ends, with the reason if it was not closed by us. */
  closed: Promise<Error | null>
  close(): void
}

const where = (t: Pick<SshTarget, 'name' | 'host' | 'port'>) => `${t.name} (${t.host}:${t.port})`

// A device that stops answering (pulled cable, power cut) is noticed within about 15 s rather than TCP's minutes.
const KEEPALIVE = { keepaliveInterval: 5_000, keepaliveCountMax: 3 }

// The pinned key's type is the only one offered, so a server with several host keys always shows the pinned one.
const hostKeyAlgorithms = (algorithm: string): string[] => (algorithm === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [algorithm])

export function connect(target: SshTarget, trust: HostTrust, { readyTimeout = 20_000 } = {}): Promise<Connection> {
  const { key } = readPrivateKey(target.keyPath, target.passphrase)
  const client = new ssh2.Client()
  let hostKeyProblem: HostKeyError | undefined
  let offered: HostKey | undefined
  return new Promise<Connection>((resolve, reject) => {
    let ready = false
    let closedBy: 'us' | null = null
    let lastError: Error | null = null
    const closed = new Promise<Error | null>((settle) => {
      client.on('close', () =>
        settle(closedBy === 'us' ? null : (lastError ?? new DeviceError(`the connection to ${where(target)} was closed`))),
      )
    })
    client.on('ready', () => {
      ready = true
      resolve({
        client,
        hostKey: offered!,
        closed,
        close: () => {
          closedBy = 'us'
          client.end()
        },
      })
    })
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      lastError = ready ? new DeviceError(`lost the connection to ${where(target)}: ${error.message}`) : error
      if (!ready) reject(hostKeyProblem ?? explain(error, target))
    })
    client.on('close', () => {
      if (!ready) reject(hostKeyProblem ?? new DeviceError(`${where(target)} closed the connection before it was ready`))
    })
    client.connect({
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: key,
      ...(target.passphrase ? { passphrase: target.passphrase } : {}),
      readyTimeout,
      ...KEEPALIVE,
      ...('pinned' in trust ? { algorithms: { serverHostKey: hostKeyAlgorithms(trust.pinned.algorithm) as never } } : {}),
      // Never ask for a password or an agent: the only way in is the key the device was paired with.
      authHandler: ['publickey'],
      hostVerifier: (blob: Buffer): boolean => {
        offered = hostKeyOf(blob)
        hostKeyProblem = judgeHostKey(target, trust, offered)
        return hostKeyProblem === undefined
      },
    })
  })
}

/** undefined when the key is trusted; otherwise the error that says why not. */
export function judgeHostKey(target: SshTarget, trust: HostTrust, offered: HostKey): HostKeyError | undefined {
  const shown = `${offered.algorithm} ${offered.fingerprint}`
  if ('pinned' in trust) {
    if (trust.pinned.fingerprint === offered.fingerprint) return undefined
    return new HostKeyError(
      `the host key of ${where(target)} has changed: paired with ${trust.pinned.algorithm} ${trust.pinned.fingerprint}, ` +
        `now it presents ${shown}. Someone may be intercepting the connection, or the device was reinstalled; ` +
        'if you expect the change, pair the device again to accept the new key',
      'changed',
      offered,
      trust.pinned,
    )
  }
  if (trust.accept === true || trust.accept === offered.fingerprint) return undefined
  if (typeof trust.accept === 'string') {
    return new HostKeyError(
      `the host key of ${where(target)} is ${shown}, not the ${trust.accept} you accepted: refusing to pair`,
      'changed',
      offered,
      { algorithm: offered.algorithm, fingerprint: trust.accept },
    )
  }
  return new HostKeyError(
    `the host key of ${where(target)} is not yet trusted: ${shown}. Check it on the device ` +
      '(ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub) and accept it to pair',
    'unknown',
    offered,
  )
}

/** The device's host key without logging in: what the pairing form shows the user before they accept it. */
export function fetchHostKey(host: string, port: number, { readyTimeout = 20_000 } = {}): Promise<HostKey> {
  const client = new ssh2.Client()
  return new Promise<HostKey>((resolve, reject) => {
    let offered: HostKey | undefined
    client.on('error', (error) => (offered ? resolve(offered) : reject(explain(error, { name: host, host, port }))))
    client.on('close', () => (offered ? resolve(offered) : reject(new DeviceError(`${host}:${port} closed the connection`))))
    client.connect({
      host,
      port,
      username: 'kindling',
      readyTimeout,
      hostVerifier: (blob: Buffer): boolean => {
        offered = hostKeyOf(blob)
        return false // seen it; go no further
      },
    })
  })
}

/** A network or authentication failure, said so that the user knows what to fix. */
function explain(
  error: Error & { code?: string; level?: string },
  target: Pick<SshTarget, 'name' | 'host' | 'port'> & { user?: string },
): Error {
  const at = where(target)
  switch (error.code) {
    case 'ECONNREFUSED':
      return new DeviceError(`cannot connect to ${at}: connection refused (is the SSH server running, and is the port right?)`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DeviceError(`cannot connect to ${at}: no such host name`)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DeviceError(`cannot connect to ${at}: no route to the host (is it on this network?)`)
    case 'ETIMEDOUT':
      return new DeviceError(`cannot connect to ${at}: timed out (is the device on and reachable?)`)
    case 'ECONNRESET':
      return new DeviceError(`cannot connect to ${at}: the connection was reset`)
  }
  if (error.level === 'client-authentication') {
    return new DeviceError(
      `${at} refused the key${target.user ? ` for user ${target.user}` : ''}: add its public key line to ~/.ssh/authorized_keys on the device`,
    )
  }
  if (error.level === 'client-timeout') return new DeviceError(`cannot connect to ${at}: no SSH handshake within the time allowed`)
  // ssh2's words when the other side took the TCP connection and closed it without speaking SSH.
  if (/before handshake/i.test(error.message)) {
    return new DeviceError(
      `cannot connect to ${at}: the connection closed before any SSH handshake (is it an SSH server, and is the port right?)`,
    )
  }
  return new DeviceError(`cannot connect to ${at}: ${error.message}`)
}
