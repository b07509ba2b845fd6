// Pair a device in three steps: where it is (name, host, port, user), which key (a new one the studio generates —
// its public line shown to paste into ~/.ssh/authorized_keys — or an existing private key file), then the host key:
// the fingerprint the device presents is shown, and pairing pins exactly that one once the user confirms it.
import { useState } from 'react'
import type { Device, HostKeyInfo } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { errorMessage, messageForField } from '../../state/errors'

export function PairForm({ onPaired, onCancel }: { onPaired(device: Device): void; onCancel(): void }) {
  const studio = useStudio()
  const [name, setName] = useState('')
  const [host, setHost] = useState('')
  const [port, setPort] = useState('22')
  const [user, setUser] = useState('pi')
  const [keyMode, setKeyMode] = useState<'new' | 'existing'>('new')
  const [keyPath, setKeyPath] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [needsPassphrase, setNeedsPassphrase] = useState(false)
  const [publicKey, setPublicKey] = useState<string | null>(null)
  const [hostKey, setHostKey] = useState<HostKeyInfo | null>(null)
  const [confirmed, setConfirmed] = useState(false)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [copied, setCopied] = useState(false)

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(what)
    setError(null)
    try {
      await action()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }
  const portNumber = Number(port)
  const portValid = /^\d+$/.test(port.trim()) && portNumber >= 1 && portNumber <= 65535
  const where = { host: host.trim(), port: portNumber }
  // Another address: what was learnt about the previous one (its host key, its error) no longer applies.
  const moved = () => (setHostKey(null), setError(null))

  const generate = () =>
    run('key', async () => {
      const key = await studio.request('devices.generateKey', {})
      setKeyPath(key.keyPath)
      setPublicKey(key.publicKey)
    })
  const readExisting = () =>
    run('key', async () => {
      try {
        const key = await studio.request('devices.publicKey', { keyPath: keyPath.trim(), ...(passphrase ? { passphrase } : {}) })
        setPublicKey(key.publicKey)
      } catch (e) {
        // A key with a passphrase: ask for it (the studio keeps it only sealed by the OS keychain, where there is one).
        if (/passphrase/.test(errorMessage(e))) setNeedsPassphrase(true)
        throw e
      }
    })
  const checkHostKey = () =>
    run('hostKey', async () => {
      setConfirmed(false)
      setHostKey(await studio.request('devices.hostKey', where))
    })
  const pair = () =>
    run('pair', async () => {
      const { device } = await studio.request('devices.add', {
        name: name.trim(),
        ...where,
        user: user.trim(),
        keyPath: keyPath.trim(),
        ...(passphrase ? { passphrase } : {}),
        acceptHostKey: hostKey!.fingerprint,
      })
      onPaired(device)
    })

  const fieldError = (field: string) => messageForField(error, field)
  const formError =
    error && !['params.name', 'params.host', 'params.port', 'params.user', 'params.keyPath', 'params.passphrase'].some((f) => fieldError(f))
      ? errorMessage(error)
      : null

  return (
    <form
      className="pair-form"
      data-testid="pair-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (hostKey && confirmed && publicKey) void pair()
      }}
    >
      <h2>Pair a device</h2>
      <div className="pair-grid">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="robot-pi" data-testid="pair-name" />
          {fieldError('params.name') && <span className="field-error">{fieldError('params.name')}</span>}
        </label>
        <label>
          Host
          <input value={host} onChange={(e) => (setHost(e.target.value), moved())} placeholder="raspberrypi.local" data-testid="pair-host" />
          {fieldError('params.host') && <span className="field-error">{fieldError('params.host')}</span>}
        </label>
        <label>
          Port
          <input
            value={port}
            inputMode="numeric"
            onChange={(e) => (setPort(e.target.value), moved())}
            aria-invalid={!portValid}
            data-testid="pair-port"
          />
          {!portValid && (
            <span className="field-error" data-testid="pair-port-error">
              a port is a whole number from 1 to 65535
            </span>
          )}
        </label>
        <label>
          User
          <input value={user} onChange={(e) => setUser(e.target.value)} data-testid="pair-user" />
        </label>
      </div>

      <fieldset className="pair-key">
        <legend>Key</legend>
        <label className="radio">
          <input type="radio" checked={keyMode === 'new'} onChange={() => (setKeyMode('new'), setPublicKey(null), setKeyPath(''))} />
          Generate a new key (ed25519, kept owner-only in the project)
        </label>
        <label className="radio">
          <input
            type="radio"
            checked={keyMode === 'existing'}
            onChange={() => (setKeyMode('existing'), setPublicKey(null), setKeyPath(''))}
            data-testid="pair-key-existing"
          />
          Use an existing private key file
        </label>
        {keyMode === 'new' ? (
          <button type="button" className="button" onClick={generate} disabled={busy !== null} data-testid="pair-generate">
            {busy === 'key' ? 'Generating…' : publicKey ? 'Generate another' : 'Generate key'}
          </button>
        ) : (
          <div className="pair-row">
            <input
              value={keyPath}
              onChange={(e) => (setKeyPath(e.target.value), setPublicKey(null))}
              placeholder="/home/me/.ssh/id_ed25519"
              data-testid="pair-key-path"
            />
            <button
              type="button"
              className="button"
              onClick={readExisting}
              disabled={!keyPath.trim() || busy !== null}
              data-testid="pair-read-key"
            >
              Use this key
            </button>
          </div>
        )}
        {keyMode === 'existing' && needsPassphrase && (
          <label className="pair-row">
            Passphrase
            <input
              type="password"
              value={passphrase}
              onChange={(e) => (setPassphrase(e.target.value), setPublicKey(null))}
              autoComplete="off"
              data-testid="pair-passphrase"
            />
          </label>
        )}
        {fieldError('params.passphrase') && <span className="field-error">{fieldError('params.passphrase')}</span>}
        {fieldError('params.keyPath') && <span className="field-error">{fieldError('params.keyPath')}</span>}
        {publicKey && (
          <div className="public-key">
            <p>
              Add this line to <code>~/.ssh/authorized_keys</code> on the device:
            </p>
            <div className="pair-row">
              <code className="public-key-line" data-testid="public-key">
                {publicKey}
              </code>
              <button
                type="button"
                className="button"
                onClick={() => void navigator.clipboard?.writeText(publicKey).then(() => setCopied(true))}
              >
                {copied ? 'Copied' : 'Copy'}
              </button>
            </div>
          </div>
        )}
      </fieldset>

      <fieldset className="pair-hostkey">
        <legend>Host key</legend>
        <button
          type="button"
          className="button"
          onClick={checkHostKey}
          disabled={!host.trim() || !portValid || busy !== null}
          title={
            !host.trim()
              ? 'Enter the device’s host name or address first'
              : !portValid
                ? 'The port is a whole number from 1 to 65535'
                : undefined
          }
          data-testid="pair-check-host-key"
        >
          {busy === 'hostKey' ? 'Connecting…' : 'Show host key'}
        </button>
        {hostKey && (
          <>
            <p>
              The device presents <code data-testid="host-key-fingerprint">{hostKey.fingerprint}</code> ({hostKey.algorithm}). Compare it with{' '}
              <code>ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub</code> run on the device.
            </p>
            <label className="radio">
              <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="pair-confirm" />
              It matches: pin this key
            </label>
          </>
        )}
      </fieldset>

      {formError && (
        <p className="form-error" role="alert" data-testid="pair-error">
          {formError}
        </p>
      )}
      <div className="pair-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button is-primary"
          disabled={!name.trim() || !user.trim() || !publicKey || !hostKey || !confirmed || busy !== null}
          data-testid="pair-submit"
        >
          {busy === 'pair' ? 'Pairing…' : 'Pair'}
        </button>
      </div>
    </form>
  )
}
