// A modal dialog on the browser's own <dialog>: it keeps focus inside, closes on Escape and sits above everything, in
// Chromium and in Electron alike. The caller decides whether it is open; closing (Escape, the × button) asks it to.
import { type ReactNode, useEffect, useId, useRef } from 'react'
import { Icon } from './Icon'

export interface DialogProps {
  title: string
  onClose(): void
  children: ReactNode
  /** An alert (a question before something that cannot be undone) rather than a plain dialog. */
  alert?: boolean
  testId?: string
}

export function Dialog({ title, onClose, children, alert, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  // The latest onClose, so the listener set up once never calls a stale one.
  const close = useRef(onClose)
  useEffect(() => {
    close.current = onClose
  })

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    dialog.showModal()
    // Escape closes the dialog natively; React's state has to follow.
    const cancel = (event: Event) => {
      event.preventDefault()
      close.current()
    }
    dialog.addEventListener('cancel', cancel)
    return () => {
      dialog.removeEventListener('cancel', cancel)
      dialog.close()
    }
  }, [])

  return (
    <dialog ref={ref} className="dialog" role={alert ? 'alertdialog' : 'dialog'} aria-labelledby={titleId} data-testid={testId}>
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => close.current()}>
          <Icon name="close" />
        </button>
      </header>
      {children}
    </dialog>
  )
}
