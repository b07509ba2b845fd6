// What int8 costs the chosen run, beside a deployment at int8: its newest export with a scored int8 model (the Train
// page's Export with int8) — a detector's AP50, a classifier's accuracy, fp32 → int8 on val. Without one, where to get it.
import { useEffect, useState } from 'react'
import type { ModelExport, Run } from '../../../../shared/api'
import { int8CostText } from '../../../../shared/int8-cost'
import { useStudio } from '../../api/context'

export function Int8Cost({ run }: { run: Pick<Run, 'id' | 'name'> }) {
  const studio = useStudio()
  const [scored, setScored] = useState<ModelExport | null | undefined>(undefined)
  useEffect(() => {
    let current = true
    studio.request('export.list', { runId: run.id }).then(
      (exports) => current && setScored(exports.find((e) => e.int8 !== null && e.int8.valPhotos > 0) ?? null),
      () => current && setScored(null),
    )
    return () => {
      current = false
    }
  }, [studio, run.id])
  if (scored === undefined) return null
  return (
    <p className="muted" data-testid="deploy-int8-cost">
      {scored
        ? `${run.name} (its epoch ${scored.epoch} export): ${int8CostText(scored.int8!)}`
        : `${run.name}: int8 is quantized on the project's train photos when deployed; export it with int8 on the Train page to see what it costs on val`}
    </p>
  )
}
