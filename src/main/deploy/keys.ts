// Client keys and host keys. A key the studio generates is ed25519, written owner-only (0600, in a 0700 folder) and
// never encrypted — like `ssh-keygen -N ''`, its protection is the file mode; the studio keeps no passwords at all.
// Host keys are identified the way OpenSSH prints them (`ssh-keygen -l`): SHA256 of the key blob, base64 unpadded.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import ssh2 from 'ssh2'

export interface HostKey {
  /** The key type from the blob: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, … */
  algorithm: string
  /** `SHA256:…` exactly as `ssh-keygen -l -E sha256` prints it. */
  fingerprint: string
}

/** Identify a host key from the raw blob the server sent. */
export function hostKeyOf(blob: Buffer): HostKey {
  const length = blob.readUInt32BE(0)
  const algorithm = blob.subarray(4, 4 + length).toString('latin1')
  const fingerprint = `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
  return { algorithm, fingerprint }
}

export interface GeneratedKey {
  privateKeyPath: string
  /** The line to paste into the device's ~/.ssh/authorized_keys. */
  publicKey: string
}

/** A new ed25519 key pair in `dir` (created 0700), private half 0600. The file name is random, never from user input. */
export function generateKey(dir: string, comment: string): GeneratedKey {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  fs.chmodSync(dir, 0o700)
  const { private: privateKey, public: publicKey } = readableKeyPair(comment)
  const privateKeyPath = path.join(dir, `id_ed25519_${crypto.randomBytes(6).toString('hex')}`)
  // 'wx': never overwrite a key that exists; mode applies at creation, so there is no moment it is readable by others.
  fs.writeFileSync(privateKeyPath, privateKey, { mode: 0o600, flag: 'wx' })
  fs.writeFileSync(`${privateKeyPath}.pub`, `${publicKey.trim()}\n`, { mode: 0o644, flag: 'wx' })
  return { privateKeyPath, publicKey: publicKey.trim() }
}

/**
 * A new ed25519 pair that ssh2 itself can read back. ssh2 1.17 strips a public key's leading zero bytes when it writes
 * one (mscdex/ssh2#1513), so about one key in 256 comes out malformed; such a pair is drawn again. (Skipping keys
 * whose public half starts with a zero byte costs under 0.01 bit of the key's 252.)
 */
function readableKeyPair(comment: string): { private: string; public: string } {
  for (let attempt = 0; attempt < 8; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment })
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair
  }
  throw new Error('could not generate an ed25519 key that reads back (ssh2 key generation is failing)')
}

/**
 * An existing private key, checked: owner-only, readable, and (if it has a passphrase) opened with `passphrase`.
 * Returns the key and its public line (for the pairing form), or throws an error naming what is wrong with the file.
 */
export function readPrivateKey(file: string, passphrase?: string): { key: Buffer; publicKey: string; encrypted: boolean } {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    throw new Error(`key file not found: ${file}`)
  }
  if (!stat.isFile()) throw new Error(`not a key file: ${file}`)
  // The same rule OpenSSH applies: a private key others can read is not private, so refuse it rather than use it.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8)
    throw new Error(`key file ${file} is readable by other users (mode ${mode}): run chmod 600 ${file}`)
  }
  const key = fs.readFileSync(file)
  const plain = ssh2.utils.parseKey(key)
  const encrypted = plain instanceof Error && /no passphrase given/i.test(plain.message)
  if (encrypted && !passphrase) {
    throw new KeyPassphraseError(`key file ${file} is protected by a passphrase: enter it to use this key`)
  }
  const parsed = encrypted ? ssh2.utils.parseKey(key, passphrase) : plain
  if (parsed instanceof Error) {
    if (encrypted) throw new KeyPassphraseError(`wrong passphrase for key file ${file}`)
    throw new Error(`key file ${file} is not a private key the studio can read (${parsed.message})`)
  }
  const one = Array.isArray(parsed) ? parsed[0] : parsed
  if (!one.isPrivateKey()) throw new Error(`key file ${file} holds a public key; give the private key (without .pub)`)
  return {
    key,
    publicKey: `${one.type} ${one.getPublicSSH().toString('base64')}${one.comment ? ` ${one.comment}` : ''}`,
    encrypted,
  }
}

/** The key needs a passphrase that was not given, or the one given does not open it. */
export class KeyPassphraseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KeyPassphraseError'
  }
}
