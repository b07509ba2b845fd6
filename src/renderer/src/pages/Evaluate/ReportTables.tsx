// The report's tables: each class's AP at the three IoUs and what it does at the threshold, recall by face size (what
// data to add), and which class the model said for which (face vs smiling face) where the run has several.
import type { ConfusionMatrix, EvalClassReport, SizeBreakdown } from '../../../../shared/api'
import { formatCount } from '../../format'
import { foundAt, sizeBounds } from './sizes'
import { atThreshold } from './threshold'

const ap = (v: number | null) => (v === null ? '–' : v.toFixed(3))
const percent = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)} %`)

export function ClassTable({ classes, threshold, colours }: { classes: EvalClassReport[]; threshold: number; colours: string[] }) {
  return (
    <table className="train-class-table eval-table" aria-label="Average precision per class" data-testid="eval-classes">
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Labels</th>
          <th scope="col" title="Average precision, a detection counting when it overlaps its label by IoU 0.5 or more">
            AP50
          </th>
          <th scope="col" title="The same at IoU 0.75: boxes must fit tightly">
            AP75
          </th>
          <th scope="col" title="COCO's AP: averaged over IoU 0.50, 0.55, …, 0.95">
            AP
          </th>
          <th scope="col">Precision</th>
          <th scope="col">Recall</th>
        </tr>
      </thead>
      <tbody>
        {classes.map((c, i) => {
          const at = atThreshold(c.curve, c.labelled, threshold)
          return (
            <tr key={c.classIndex} data-testid="eval-class-row">
              <th scope="row">
                <span className="train-swatch eval-class-swatch" style={{ background: colours[i] }} aria-hidden="true" />
                {c.name}
              </th>
              <td className="mono">{formatCount(c.labelled)}</td>
              <td className="mono" data-testid="eval-class-ap50">
                {ap(c.ap50)}
              </td>
              <td className="mono">{ap(c.ap75)}</td>
              <td className="mono">{ap(c.ap)}</td>
              <td className="mono">{percent(at.precision)}</td>
              <td className="mono">{percent(at.recall)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

export function SizeTable({ sizes, threshold }: { sizes: SizeBreakdown[]; threshold: number }) {
  return (
    <table className="train-class-table eval-table" aria-label="Recall by face size" data-testid="eval-sizes">
      <thead>
        <tr>
          <th scope="col">Size</th>
          <th scope="col">Labels</th>
          <th scope="col">Found</th>
          <th scope="col">Recall</th>
          <th scope="col" title="Counting every detection the model made, whatever its score: the most this checkpoint can find">
            At any score
          </th>
        </tr>
      </thead>
      <tbody>
        {sizes.map((s) => {
          const found = foundAt(s.curve, threshold)
          return (
            <tr key={s.size} data-testid={`eval-size-${s.size}`}>
              <th scope="row">
                {s.size} <span className="muted">{sizeBounds(s.minArea, s.maxArea)}</span>
              </th>
              <td className="mono">{formatCount(s.labelled)}</td>
              <td className="mono">{formatCount(found)}</td>
              <td className="mono" data-testid={`eval-size-${s.size}-recall`}>
                {s.labelled > 0 ? percent(found / s.labelled) : '–'}
              </td>
              <td className="mono">{percent(s.recallAtAnyScore)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** Rows: what the label says; columns: what the model said. The last row and column are "nothing" (background). */
export function ConfusionTable({ confusion, threshold }: { confusion: ConfusionMatrix; threshold: number }) {
  const { labels, counts } = confusion
  // The last row and column are the background, whether or not `labels` names it.
  const last = counts.length - 1
  const name = (i: number) => (i === last ? 'nothing' : labels[i])
  return (
    <figure className="eval-confusion">
      <figcaption className="muted">
        Labelled ↓ · the model said → at threshold <span className="mono">{threshold.toFixed(2)}</span>
      </figcaption>
      <table className="train-confusion" aria-label="Confusion between classes" data-testid="eval-confusion">
        <thead>
          <tr>
            <th scope="col">Label \ model</th>
            {counts.map((_, j) => (
              <th key={j} scope="col">
                {name(j)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {counts.map((row, i) => (
            <tr key={i}>
              <th scope="row">{name(i)}</th>
              {row.map((n, j) => (
                <td
                  key={j}
                  className={`mono${i === j && i !== last ? ' is-right' : ''}`}
                  title={
                    i === last
                      ? `${n} false alarms said ${name(j)}`
                      : j === last
                        ? `${n} ${name(i)} labels missed`
                        : `${n} ${name(i)} labels the model called ${name(j)}`
                  }
                >
                  {i === last && j === last ? '' : formatCount(n)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
