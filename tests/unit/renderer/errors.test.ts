import { describe, expect, it } from 'vitest'
import { errorField, messageForField, messageForForm } from '../../../src/renderer/src/state/errors.js'

describe('errors shown next to the field they name', () => {
  const overWebSocket = Object.assign(new Error('params.dir: folder not found: /x'), { field: 'params.dir' })
  // Electron's context bridge keeps only the message; the field is read back from its prefix.
  const overIpc = new Error('params.dir: folder not found: /x')

  it('finds the field from either transport', () => {
    expect(errorField(overWebSocket)).toBe('params.dir')
    expect(errorField(overIpc)).toBe('params.dir')
    expect(errorField(new Error('no project is open'))).toBeUndefined()
  })

  it('shows the message beside its field, without repeating the field name', () => {
    expect(messageForField(overIpc, 'params.dir')).toBe('Folder not found: /x')
    expect(messageForField(overIpc, 'params.limit')).toBeNull()
  })

  it('shows errors about no field of the form at form level', () => {
    expect(messageForForm(overIpc, ['params.dir'])).toBeNull()
    expect(messageForForm(new Error('disk full'), ['params.dir'])).toBe('Disk full')
  })
})
