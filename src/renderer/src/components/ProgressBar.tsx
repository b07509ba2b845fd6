// A thin determinate bar, or an indeterminate one while the total is still being counted.
export function ProgressBar({ done, total, label }: { done: number; total: number | null; label: string }) {
  const fraction = total ? Math.min(1, done / total) : null
  return (
    <div
      className={fraction === null ? 'progress is-indeterminate' : 'progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total ?? undefined}
      aria-valuenow={total ? done : undefined}
    >
      <div className="progress-fill" style={fraction === null ? undefined : { transform: `scaleX(${fraction})` }} />
    </div>
  )
}
