// The score threshold a chosen run deploys with: the one picked on the Evaluate page ("Use for deploy"), or the
// preset's when none was; a link to Evaluate either way, where it is chosen.
import type { Run } from '../../../../shared/api'

export function DeployThreshold({ run }: { run: Pick<Run, 'id' | 'threshold'> }) {
  return (
    <a
      className="muted deploy-threshold"
      href={`#evaluate?run=${run.id}`}
      title="The score a detection needs to count on the device; choose it on the Evaluate page"
      data-testid="deploy-run-threshold"
    >
      {run.threshold === null ? "preset's threshold" : `threshold ${Number(run.threshold.toFixed(3))} from Evaluate`}
    </a>
  )
}
