// Keys the studio generates must always be usable: ssh2 alone writes about one ed25519 key in 256 that it cannot read
// back (mscdex/ssh2#1513), which a user would meet as a pairing that fails for no visible reason.
import fs from 'node:fs'
import path from 'node:path'
import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { generateKey } from '../../../src/main/deploy/keys.js'
import { tempDir } from '../../helpers/fixtures.js'

describe('generateKey', () => {
  it('writes 600 ed25519 keys that all read back, private half owner-only, public line with the comment', () => {
    const dir = path.join(tempDir(), 'keys')
    for (let i = 0; i < 600; i++) {
      const key = generateKey(dir, 'kindling-studio robot')
      const parsed = ssh2.utils.parseKey(fs.readFileSync(key.privateKeyPath))
      expect(parsed, key.privateKeyPath).not.toBeInstanceOf(Error)
      expect(ssh2.utils.parseKey(key.publicKey)).not.toBeInstanceOf(Error)
      if (i === 0) {
        expect(fs.statSync(key.privateKeyPath).mode & 0o777).toBe(0o600)
        expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
        expect(key.publicKey).toMatch(/^ssh-ed25519 \S+ kindling-studio robot$/)
      }
    }
  })
})
