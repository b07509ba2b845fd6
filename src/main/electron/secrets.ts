// Device key passphrases, sealed by the OS keychain through Electron's safeStorage (Keychain on macOS, DPAPI on
// Windows, the Secret Service / KWallet on Linux). Where Linux has none, Electron falls back to a hard-coded key
// ("basic_text"): that is not safe, so the studio then refuses to keep a passphrase at all.
import { app, safeStorage } from 'electron'
import type { SecretBox } from '../deploy/secrets.js'

export const keychainSecrets: SecretBox = {
  available: () =>
    app.isReady() &&
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  seal: (plain) => safeStorage.encryptString(plain),
  open: (sealed) => safeStorage.decryptString(sealed),
}
