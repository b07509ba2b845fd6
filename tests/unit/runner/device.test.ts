import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cpuModel, piModel, temperatureReader } from '../../../src/runner/device.js'
import { tempDir } from '../../helpers/fixtures.js'

// The tail of a Raspberry Pi 4's /proc/cpuinfo on 64-bit Raspberry Pi OS: no "model name" line.
const pi4Cpuinfo = `processor\t: 3
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x0
CPU part\t: 0xd08
CPU revision\t: 3

Revision\t: c03114
Serial\t\t: 10000000a1b2c3d4
Model\t\t: Raspberry Pi 4 Model B Rev 1.4
`

describe('device probes', () => {
  it('names an ARM core from its part number, and an x86 CPU from its model name', () => {
    expect(cpuModel(pi4Cpuinfo)).toBe('ARM Cortex-A72')
    expect(cpuModel('processor\t: 0\nmodel name\t: Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz\n')).toBe('Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz')
  })

  it('knows a Pi from its device tree or its cpuinfo, and nothing else for one', () => {
    expect(piModel('Raspberry Pi 5 Model B Rev 1.0\0', null)).toBe('Raspberry Pi 5 Model B Rev 1.0')
    expect(piModel(null, pi4Cpuinfo)).toBe('Raspberry Pi 4 Model B Rev 1.4')
    expect(piModel('Pine64 RockPro64\0', 'model name\t: AMD EPYC\n')).toBeNull()
    expect(piModel(null, null)).toBeNull()
  })

  it('reads the temperature at most once a second, and null where there is no thermal zone', () => {
    const file = path.join(tempDir(), 'temp')
    fs.writeFileSync(file, '48312\n')
    let now = 0
    const read = temperatureReader(file, () => now)
    expect(read()).toBe(48.312)
    fs.writeFileSync(file, '51000\n')
    now = 999
    expect(read()).toBe(48.312)
    now = 1000
    expect(read()).toBe(51)
    expect(temperatureReader(path.join(tempDir(), 'missing'))()).toBeNull()
  })
})
