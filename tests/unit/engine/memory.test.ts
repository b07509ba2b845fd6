// A wasm abort (its heap cannot grow past 4 GB) reaches the user as what it means and what to do, not "Aborted()".
import { describe, expect, it } from 'vitest'
import { explainWasmAbort } from '../../../src/main/engine/index.js'

describe('explainWasmAbort', () => {
  it("turns the backend's bare abort into the memory limit and the remedy, keeping the original words", () => {
    const said = explainWasmAbort('Aborted(). Build with -sASSERTIONS for more info.', 'training x at batch size 8', 'use a smaller batch')
    expect(said).toMatch(/^training x at batch size 8 needs more memory than the wasm backend can have \(4 GB\): use a smaller batch/)
    expect(said).toContain('Aborted(). Build with -sASSERTIONS')
    // As a replica reports it, inside another message.
    expect(explainWasmAbort('replica 1: Aborted()', 'training', 'smaller')).toMatch(/^training needs more memory/)
  })

  it('leaves every other error as it was', () => {
    expect(explainWasmAbort('the loss became NaN at step 3', 'training', 'smaller')).toBe('the loss became NaN at step 3')
  })
})
