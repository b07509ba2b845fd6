import { describe, expect, it } from 'vitest'
import { folderName, runningJobsSentence } from '../../../src/renderer/src/state/projectSwitch.js'

describe('the question before a project switch', () => {
  it('names the jobs it would cancel, in a sentence', () => {
    expect(runningJobsSentence([{ kind: 'train' }])).toBe('A training run is running')
    expect(runningJobsSentence([{ kind: 'kindle' }])).toBe('Kindling is running')
    expect(runningJobsSentence([{ kind: 'import' }, { kind: 'kindle' }])).toBe('An import and kindling are running')
    expect(runningJobsSentence([{ kind: 'import' }, { kind: 'predict' }, { kind: 'export' }])).toBe(
      'An import, a prediction and an export are running',
    )
  })

  it('names the project by the folder typed, whatever the slashes', () => {
    expect(folderName('/home/me/Kindling/Robot arm')).toBe('Robot arm')
    expect(folderName('  /home/me/Garden camera/  ')).toBe('Garden camera')
    expect(folderName('C:\\Users\\me\\Rover')).toBe('Rover')
    expect(folderName('/')).toBe('/')
  })
})
