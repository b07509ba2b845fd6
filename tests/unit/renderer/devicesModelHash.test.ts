import { describe, expect, it } from 'vitest'
import { devicesModelHash, devicesModelOf, parseHash } from '../../../src/renderer/src/state/usePage'

describe('the Train page hands a checkpoint to the Devices page through the hash', () => {
  it('round-trips a folder path, spaces, # and ? included', () => {
    for (const dir of ['/home/me/Kindling/Robot/runs/3/best', '/tmp/a b/c#d?e=f&g']) {
      const hash = devicesModelHash(dir)
      expect(parseHash(hash).page).toBe('devices')
      expect(devicesModelOf(hash)).toBe(dir)
    }
  })

  it('asks for no model without the parameter, with an empty one, or on another page', () => {
    expect(devicesModelOf('#devices')).toBeNull()
    expect(devicesModelOf('#devices?model=')).toBeNull()
    expect(devicesModelOf('#train?model=/x')).toBeNull()
    expect(parseHash('#train').page).toBe('train')
  })
})
