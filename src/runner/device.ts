// What the runner can learn about the machine it runs on. Every probe is optional: on a laptop, in a container or
// under emulation most of these files are missing, and a benchmark must not fail for want of a temperature.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

// ARM's part numbers (/proc/cpuinfo "CPU part" when "CPU implementer" is 0x41): the kernel prints no "model name"
// on arm64, and these are the cores Raspberry Pis have.
const armParts: Record<string, string> = {
  '0xd03': 'ARM Cortex-A53',
  '0xd04': 'ARM Cortex-A35',
  '0xd05': 'ARM Cortex-A55',
  '0xd07': 'ARM Cortex-A57',
  '0xd08': 'ARM Cortex-A72',
  '0xd0b': 'ARM Cortex-A76',
}

function cpuinfoField(cpuinfo: string, field: string): string | null {
  const line = cpuinfo.split('\n').find((l) => l.split(':')[0].trim() === field)
  return line === undefined ? null : line.slice(line.indexOf(':') + 1).trim()
}

/** The CPU's name: "model name" on x86, the ARM core for an ARM part number, else what node knows, else "unknown". */
export function cpuModel(cpuinfo = readText('/proc/cpuinfo')): string {
  if (cpuinfo !== null) {
    const name = cpuinfoField(cpuinfo, 'model name')
    if (name) return name
    const part = cpuinfoField(cpuinfo, 'CPU part')
    if (cpuinfoField(cpuinfo, 'CPU implementer') === '0x41' && part && armParts[part]) return armParts[part]
  }
  const model = os.cpus()[0]?.model
  return model && model !== 'unknown' ? model : 'unknown'
}

/** "Raspberry Pi 4 Model B Rev 1.4" on a Pi (device tree, else cpuinfo's "Model"), null anywhere else. */
export function piModel(deviceTree = readText('/proc/device-tree/model'), cpuinfo = readText('/proc/cpuinfo')): string | null {
  // The device tree string ends in a NUL.
  const candidates = [deviceTree?.replace(/\0+$/, '').trim(), cpuinfo ? cpuinfoField(cpuinfo, 'Model') : null]
  return candidates.find((m): m is string => typeof m === 'string' && m.startsWith('Raspberry Pi')) ?? null
}

/**
 * The SoC temperature in °C from thermal zone 0, read at most once a second (the file is cheap, but reading it on
 * every inference of a fast model would be measurable); null where there is no thermal zone.
 */
export function temperatureReader(file = '/sys/class/thermal/thermal_zone0/temp', now = () => Date.now()): () => number | null {
  let last: number | null = null
  let readAt = -Infinity
  return () => {
    const t = now()
    if (t - readAt >= 1000) {
      readAt = t
      const milli = Number.parseInt(readText(file) ?? '', 10)
      last = Number.isFinite(milli) ? milli / 1000 : null
    }
    return last
  }
}

/**
 * The firmware's throttling flags ("0x0" when the Pi was never throttled or under-volted) from `vcgencmd
 * get_throttled`; null where there is no vcgencmd (anything but a Pi) or it does not answer within two seconds.
 */
export function throttled(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('vcgencmd', ['get_throttled'], { timeout: 2000 }, (error, stdout) => {
      if (error) return resolve(null)
      const match = /throttled=(0x[0-9a-fA-F]+)/.exec(stdout)
      resolve(match ? match[1] : null)
    })
  })
}
