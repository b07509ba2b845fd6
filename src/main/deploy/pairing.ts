// Pairing and "test connection". Pairing is the only way a host key gets pinned (or re-pinned): the device must
// present the key the user accepted, and the studio must get in with the private key — then both go in the store.
import path from 'node:path'
import type { Device } from '../../shared/api.js'
import type { DeviceStore } from '../store/index.js'
import { connect, type SshTarget } from './connection.js'
import { type DeviceInfo, probeDevice, probeThisComputer } from './probe.js'

export interface PairRequest {
  name: string
  host: string
  port: number
  user: string
  keyPath: string
  /** The fingerprint the user checked, or true to accept whatever the device presents (trust on first use). */
  acceptHostKey?: true | string
  /** The key's passphrase, if it has one, and how to seal it for the store (the OS keychain). */
  passphrase?: string
  seal?: (passphrase: string) => Buffer
}

export async function pairDevice(devices: DeviceStore, r: PairRequest): Promise<{ device: Device; info: DeviceInfo }> {
  const existing = devices.byName(r.name)
  if (existing?.kind === 'local') throw new Error(`"${r.name}" is this computer's built-in device; pick another name`)
  const target: SshTarget = {
    name: r.name,
    host: r.host,
    port: r.port,
    user: r.user,
    keyPath: path.resolve(r.keyPath),
    passphrase: r.passphrase,
  }
  const sealedPassphrase = r.passphrase ? r.seal!(r.passphrase) : null
  const conn = await connect(target, { accept: r.acceptHostKey })
  try {
    const info = await probeDevice(conn.client)
    const { passphrase: _, ...row } = target
    const device = devices.pair({ ...row, sealedPassphrase, hostKey: conn.hostKey, info: { ...info, testedAt: Date.now() } })
    return { device, info }
  } finally {
    conn.close()
  }
}

/** Connect as a deploy would (pinned host key) and report what the device is; the answer is kept with the device. */
export async function testDevice(
  devices: DeviceStore,
  device: Device,
  unlock: (device: Device) => string | undefined = () => undefined,
): Promise<DeviceInfo> {
  let info: DeviceInfo
  if (device.kind === 'local') info = probeThisComputer()
  else {
    const conn = await connect(
      {
        name: device.name,
        host: device.host!,
        port: device.port!,
        user: device.user!,
        keyPath: device.keyPath!,
        passphrase: unlock(device),
      },
      { pinned: device.hostKey! },
    )
    try {
      info = await probeDevice(conn.client)
    } finally {
      conn.close()
    }
  }
  devices.setInfo(device.id, { ...info, testedAt: Date.now() })
  return info
}
