// Where a key's passphrase may be kept: only sealed by the operating system's keychain (Electron's safeStorage, wired
// in src/main/electron/). Serve mode and the CLI have no such box, so there a passphrase-protected key is refused with
// a message rather than its passphrase written anywhere in the clear.
export interface SecretBox {
  /** False where nothing can seal secrets safely (e.g. Linux without a secret service, where Electron would fall back
   * to a hard-coded key). */
  available(): boolean
  seal(plain: string): Buffer
  open(sealed: Buffer): string
}

export const NO_SECRET_BOX_MESSAGE =
  'this studio cannot keep a key passphrase safely here (only the desktop app can, in the OS keychain): ' +
  'use a key without a passphrase, or let the studio generate one'
