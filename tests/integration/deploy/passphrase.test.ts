// A key with a passphrase: kept only sealed by the OS keychain (the desktop app's safeStorage), never in the clear,
// and refused — with a message saying why — by a studio that has no keychain (serve mode, the CLI).
// The keychain here is a real AES-256-GCM box whose key lives only in this process: it stands in for Electron's
// safeStorage, which cannot run in plain Node.
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import type { SecretBox } from '../../../src/main/deploy/secrets.js'
import { Studio } from '../../../src/main/studio.js'
import { DB_FILE, Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'
import { type Sshd, startSshd } from '../../helpers/sshd.js'

const PASSPHRASE = 'correct horse battery staple'

function processKeychain(): SecretBox {
  const key = crypto.randomBytes(32)
  return {
    available: () => true,
    seal(plain) {
      const iv = crypto.randomBytes(12)
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    open(sealed) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      decipher.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8')
    },
  }
}

let sshd: Sshd
let keyPath: string
beforeAll(async () => {
  sshd = await startSshd()
  keyPath = path.join(tempDir(), 'id_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', keyPath])
  fs.appendFileSync(path.join(path.dirname(sshd.clientKey), 'authorized_keys'), fs.readFileSync(`${keyPath}.pub`))
})
afterAll(async () => {
  await sshd?.stop()
})

const caller = (studio: Studio) => {
  let id = 1
  return async (method: string, params: unknown) => {
    const response = await dispatch(studio, { id: id++, method, params })
    if (!response.ok) throw Object.assign(new Error(response.error.message), response.error)
    return response.result as never
  }
}

describe('a key with a passphrase', () => {
  it('pairs and connects with the passphrase sealed by the keychain, never stored in the clear', async () => {
    const project = path.join(tempDir(), 'robot')
    const keychain = processKeychain()
    const studio = new Studio({ secrets: keychain })
    const call = caller(studio)
    try {
      await studio.openProject(project, { create: true })
      const base = { name: 'pi', host: sshd.host, port: sshd.port, user: sshd.user, keyPath, acceptHostKey: true }
      await expect(call('devices.publicKey', { keyPath })).rejects.toMatchObject({
        field: 'params.passphrase',
        message: expect.stringMatching(/protected by a passphrase/),
      })
      expect(await call('devices.publicKey', { keyPath, passphrase: PASSPHRASE })).toMatchObject({ encrypted: true, canKeepPassphrase: true })
      await expect(call('devices.add', { ...base, passphrase: 'wrong' })).rejects.toMatchObject({
        field: 'params.passphrase',
        message: expect.stringMatching(/wrong passphrase/),
      })
      const { device } = (await call('devices.add', { ...base, passphrase: PASSPHRASE })) as { device: Record<string, unknown> }
      expect(JSON.stringify(device)).not.toContain(PASSPHRASE)
      expect(Object.keys(device)).not.toContain('sealedPassphrase')
      expect((await call('devices.test', { name: 'pi' })) as { arch: string }).toMatchObject({ arch: expect.any(String) })
    } finally {
      await studio.close()
    }
    // Neither the database nor its WAL holds the passphrase; the sealed copy is there.
    for (const file of fs.readdirSync(project).filter((f) => f.startsWith(DB_FILE))) {
      expect(fs.readFileSync(path.join(project, file)).includes(Buffer.from(PASSPHRASE))).toBe(false)
    }
    const store = Store.open(project)
    const sealed = store.db.prepare("SELECT key_passphrase FROM devices WHERE name = 'pi'").get() as { key_passphrase: Buffer }
    store.close()
    expect(sealed.key_passphrase.length).toBeGreaterThan(PASSPHRASE.length)

    // Without the keychain (serve mode, CLI): the device is there, but its key cannot be opened — and it says so.
    const plain = new Studio()
    try {
      await plain.openProject(project)
      await expect(caller(plain)('devices.test', { name: 'pi' })).rejects.toThrow(/passphrase, kept in the desktop app's OS keychain/)
    } finally {
      await plain.close()
    }
  })

  it('is refused by a studio without a keychain, naming the field', async () => {
    const studio = new Studio()
    try {
      await studio.openProject(path.join(tempDir(), 'p'), { create: true })
      const call = caller(studio)
      expect(await call('devices.publicKey', { keyPath, passphrase: PASSPHRASE })).toMatchObject({ canKeepPassphrase: false })
      await expect(
        call('devices.add', {
          name: 'pi',
          host: sshd.host,
          port: sshd.port,
          user: sshd.user,
          keyPath,
          passphrase: PASSPHRASE,
          acceptHostKey: true,
        }),
      ).rejects.toMatchObject({ field: 'params.passphrase', message: expect.stringMatching(/cannot keep a key passphrase/) })
      expect((await call('devices.list', {})) as unknown[]).toHaveLength(1)
    } finally {
      await studio.close()
    }
  })
})
