// Opening another project cancels the running jobs (the studio keeps what they did): ask first, naming them, rather than
// let a click on a project in a menu silently stop an hour of training.
import { type ReactNode, useCallback, useRef, useState } from 'react'
import { useStudio } from '../api/context'
import { Dialog } from '../components/Dialog'
import { runningJobsSentence } from './projectSwitch'

interface Question {
  sentence: string
  target: string
  answer(go: boolean): void
}

export interface SwitchGuard {
  /** Resolves true when nothing runs or the user agreed to cancel it; `target` names where they are going. */
  confirmSwitch(target: string): Promise<boolean>
  /** The question, while one is asked: render it somewhere. */
  question: ReactNode
}

export function useSwitchGuard(): SwitchGuard {
  const studio = useStudio()
  const [asking, setAsking] = useState<Question | null>(null)
  const pending = useRef<Question | null>(null)

  const confirmSwitch = useCallback(
    async (target: string) => {
      // Asked now, not from what the page last heard: a job may have started or ended since.
      const { jobs } = await studio.request('studio.info', {})
      const running = jobs.filter((job) => job.state === 'running')
      if (running.length === 0) return true
      pending.current?.answer(false)
      return new Promise<boolean>((resolve) => {
        const question: Question = {
          sentence: runningJobsSentence(running),
          target,
          answer: (go) => {
            if (pending.current === question) pending.current = null
            setAsking((shown) => (shown === question ? null : shown))
            resolve(go)
          },
        }
        pending.current = question
        setAsking(question)
      })
    },
    [studio],
  )

  const question = asking && (
    <Dialog title="Stop the running work?" alert onClose={() => asking.answer(false)} testId="switch-confirm">
      <p className="dialog-text">
        {asking.sentence}. Opening <strong>{asking.target}</strong> cancels it; what it has done so far is kept.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => asking.answer(false)} autoFocus>
          Keep working
        </button>
        <button type="button" className="button is-primary" onClick={() => asking.answer(true)} data-testid="switch-confirm-go">
          Cancel it and open
        </button>
      </div>
    </Dialog>
  )

  return { confirmSwitch, question }
}
