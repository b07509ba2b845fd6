// `kindling devices add|list|test|keygen|remove`: pair and inspect devices from the command line, through the same
// Studio requests the Devices page makes. Pairing needs --accept-host-key: without it the command shows the host key's
// fingerprint and stops, so a script never trusts a key nobody looked at by accident.
import path from 'node:path'
import { z } from 'zod'
import { type Device, type DeviceInfo, describeZodError, type Params, type ParsedParams, requests } from '../../../shared/api.js'
import { parseOptions, UsageError } from '../usage.js'
import { withProject } from '../cli-studio.js'

export const DEVICES_USAGE =
  '  kindling devices add NAME --host H [--port P] --user U --key FILE --project DIR [--accept-host-key] [--json]\n' +
  '                                                pair a device over SSH (pins its host key; needs --accept-host-key)\n' +
  '  kindling devices keygen --project DIR          a new ed25519 key for pairing: its file and the authorized_keys line\n' +
  '  kindling devices list --project DIR [--json]   this computer and the paired devices, with their pinned host keys\n' +
  '  kindling devices test NAME --project DIR [--json]\n' +
  '                                                connect and report architecture, OS, node, CPU (on a Pi: model,\n' +
  '                                                temperature, throttling)\n' +
  '  kindling devices remove NAME --project DIR     forget a device (its deployments go with it)'

export async function devicesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const run = sub !== undefined && Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined
  if (!run) throw new UsageError(sub ? `unknown devices command "${sub}"` : 'which? kindling devices add|keygen|list|test|remove')
  return run(rest)
}

const subcommands: Record<string, (args: string[]) => Promise<number>> = {
  async add(args) {
    const { values, positionals } = parseOptions(
      args,
      {
        host: { type: 'string' },
        port: { type: 'string' },
        user: { type: 'string' },
        key: { type: 'string' },
        project: { type: 'string' },
        'accept-host-key': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      1,
    )
    const name = positionals[0]
    if (!name) throw new UsageError('which device? kindling devices add NAME --host H --user U --key FILE --project DIR')
    if (!values.host) throw new UsageError('--host H is required')
    if (!values.user) throw new UsageError('--user U is required')
    if (!values.key) throw new UsageError('--key FILE is required (a private key; `kindling devices keygen` makes one)')
    const port = values.port === undefined ? 22 : Number(values.port)
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1–65535, not "${values.port}"`)
    const params: Params<'devices.add'> = {
      name,
      host: values.host,
      port,
      user: values.user,
      keyPath: path.resolve(values.key),
      ...(values['accept-host-key'] ? { acceptHostKey: true as const } : {}),
    }
    return withProject(values.project, true, async (studio) => {
      const { device, info } = await Promise.resolve(studio.handlers['devices.add'](checked('devices.add', params))).catch((error: Error) => {
        throw /not yet trusted/.test(error.message) ? new Error(`${error.message}: run again with --accept-host-key once it matches`) : error
      })
      if (values.json) console.log(JSON.stringify({ device, info }))
      else {
        console.log(`Paired ${device.name}: ${device.user}@${device.host}:${device.port}`)
        console.log(`  host key  ${device.hostKey!.algorithm} ${device.hostKey!.fingerprint} (pinned)`)
        for (const line of describeInfo(info)) console.log(`  ${line}`)
      }
      return 0
    })
  },

  async keygen(args) {
    const { values } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } })
    return withProject(values.project, true, async (studio) => {
      const key = await studio.handlers['devices.generateKey']({})
      if (values.json) console.log(JSON.stringify(key))
      else {
        console.log(`New key: ${key.keyPath} (owner-only)`)
        console.log('Add this line to ~/.ssh/authorized_keys on the device:')
        console.log(key.publicKey)
      }
      return 0
    })
  },

  async list(args) {
    const { values } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } })
    return withProject(values.project, false, async (studio) => {
      const devices = await studio.handlers['devices.list']({})
      if (values.json) console.log(JSON.stringify(devices))
      else for (const d of devices) console.log(describeDevice(d))
      return 0
    })
  },

  async test(args) {
    const { values, positionals } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } }, 1)
    if (!positionals[0]) throw new UsageError('which device? kindling devices test NAME --project DIR')
    return withProject(values.project, false, async (studio) => {
      const info = await studio.handlers['devices.test']({ name: positionals[0] })
      if (values.json) console.log(JSON.stringify(info))
      else for (const line of describeInfo(info)) console.log(line)
      return 0
    })
  },

  async remove(args) {
    const { values, positionals } = parseOptions(args, { project: { type: 'string' } }, 1)
    if (!positionals[0]) throw new UsageError('which device? kindling devices remove NAME --project DIR')
    return withProject(values.project, false, async (studio) => {
      const { removed } = await studio.handlers['devices.remove']({ name: positionals[0] })
      console.log(removed ? `Removed ${positionals[0]}` : `No device named ${positionals[0]}`)
      return 0
    })
  },
}

/** The command line's values checked by the same schema as an API request: a bad name is named, as in the UI. */
export function checked<M extends keyof typeof requests>(method: M, params: Params<M>): ParsedParams<M> {
  try {
    return requests[method].params.parse(params) as ParsedParams<M>
  } catch (error) {
    if (error instanceof z.ZodError) throw new UsageError(describeZodError(error, '').message)
    throw error
  }
}

function describeDevice(d: Device): string {
  if (d.kind === 'local') return `${d.name}  (this computer, no SSH)`
  return `${d.name}  ${d.user}@${d.host}:${d.port}  ${d.hostKey?.algorithm} ${d.hostKey?.fingerprint}`
}

export function describeInfo(i: DeviceInfo): string[] {
  return [
    `arch      ${i.arch}`,
    `OS        ${i.os}`,
    `node      ${i.node ?? 'not found on the PATH of SSH sessions: install Node.js 18 or newer'}`,
    `CPU       ${i.cpu ?? 'unknown'}${i.cores ? `, ${i.cores} cores` : ''}`,
    ...(i.piModel ? [`Pi        ${i.piModel}`] : []),
    ...(i.tempC !== null ? [`temp      ${i.tempC} °C`] : []),
    ...(i.throttled !== null ? [`throttled ${i.throttled}${i.throttling.length ? ` (${i.throttling.join(', ')})` : ''}`] : []),
  ]
}
