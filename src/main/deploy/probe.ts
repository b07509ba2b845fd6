// "Test connection": what the device is. One constant script (no user input in it) prints key=value lines; on a
// Raspberry Pi it also reads the board model, the SoC temperature and the firmware's throttling flags.
import os from 'node:os'
import fs from 'node:fs'
import type ssh2 from 'ssh2'
import type { DeviceInfo } from '../../shared/api.js'
import { runOk } from './remote.js'

export type { DeviceInfo }

const PROBE_SCRIPT = [
  'echo "arch=$(uname -m)"',
  'echo "os=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -sr)"',
  'echo "node=$(node --version 2>/dev/null)"',
  `echo "cpu=$(grep -m1 -E '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || true)"`,
  `echo "cpuModel=$(LC_ALL=C lscpu 2>/dev/null | grep -m1 '^Model name' | cut -d: -f2- || true)"`,
  'echo "cores=$(nproc 2>/dev/null)"',
  `echo "board=$(tr -d '\\000' < /proc/device-tree/model 2>/dev/null)"`,
  'echo "temp=$(cat /sys/class/thermal/thermal_zone0/temp 2>/dev/null)"',
  'echo "throttled=$(vcgencmd get_throttled 2>/dev/null | cut -d= -f2)"',
].join('; ')

export async function probeDevice(client: ssh2.Client): Promise<DeviceInfo> {
  const out = await runOk(client, PROBE_SCRIPT, 'test connection')
  const v: Record<string, string> = {}
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) v[line.slice(0, eq)] = line.slice(eq + 1).trim()
  }
  return infoFrom(v)
}

/** The same facts about this computer, read locally. */
export function probeThisComputer(): DeviceInfo {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8')
    } catch {
      return ''
    }
  }
  return infoFrom({
    arch: os.machine(),
    os: /PRETTY_NAME="?([^"\n]*)/.exec(read('/etc/os-release'))?.[1] ?? `${os.type()} ${os.release()}`,
    node: process.versions.node ? `v${process.versions.node}` : '',
    cpu: os.cpus()[0]?.model ?? '',
    cores: String(os.cpus().length),
    board: read('/proc/device-tree/model').replaceAll('\0', ''),
    temp: read('/sys/class/thermal/thermal_zone0/temp').trim(),
    throttled: '',
  })
}

function infoFrom(v: Record<string, string>): DeviceInfo {
  const milli = Number(v.temp)
  const board = v.board || ''
  return {
    arch: v.arch || 'unknown',
    os: v.os || 'unknown',
    node: v.node || null,
    cpu: v.cpu || v.cpuModel || null,
    cores: Number(v.cores) || null,
    piModel: /raspberry pi/i.test(board) ? board : null,
    tempC: v.temp && Number.isFinite(milli) ? Math.round(milli / 100) / 10 : null,
    throttled: v.throttled || null,
    throttling: describeThrottled(v.throttled),
  }
}

// The bits of the Pi firmware's get_throttled word (documented with vcgencmd).
const THROTTLE_BITS: [number, string][] = [
  [0, 'under-voltage now'],
  [1, 'CPU frequency capped now'],
  [2, 'throttled now'],
  [3, 'soft temperature limit now'],
  [16, 'under-voltage has occurred'],
  [17, 'frequency capping has occurred'],
  [18, 'throttling has occurred'],
  [19, 'soft temperature limit has occurred'],
]

export function describeThrottled(hex: string | undefined): string[] {
  if (!hex || !/^0x[0-9a-f]+$/i.test(hex)) return []
  const word = parseInt(hex, 16)
  return THROTTLE_BITS.filter(([bit]) => (word >>> bit) & 1).map(([, text]) => text)
}
