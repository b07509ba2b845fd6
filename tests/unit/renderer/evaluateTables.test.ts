// The report's tables as a person reads them: rendered to HTML by React itself, checked cell by cell.
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ConfusionTable, SizeTable } from '../../../src/renderer/src/pages/Evaluate/ReportTables'

/** The table's rows as arrays of cell texts. */
function cells(html: string): string[][] {
  const rows = [...html.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((m) => m[1])
  return rows.map((row) => [...row.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1].replace(/<[^>]+>/g, '').trim()))
}

describe('the confusion between classes', () => {
  it('names the background "nothing": a false alarm is a row of it, a miss a column', () => {
    const html = renderToStaticMarkup(
      createElement(ConfusionTable, {
        confusion: {
          labels: ['face', 'smiling face', 'background'],
          counts: [
            [7, 2, 1],
            [3, 5, 0],
            [4, 6, 0],
          ],
        },
        threshold: 0.42,
      }),
    )
    expect(cells(html)).toEqual([
      ['Label \\ model', 'face', 'smiling face', 'nothing'],
      ['face', '7', '2', '1'],
      ['smiling face', '3', '5', '0'],
      ['nothing', '4', '6', ''],
    ])
    expect(html).toContain('at threshold <span class="mono">0.42</span>')
    expect(html).toContain('title="2 face labels the model called smiling face"')
  })
})

describe('recall by face size', () => {
  it('counts what is found at the threshold from each size curve', () => {
    const size = (
      name: 'small' | 'medium' | 'large',
      minArea: number,
      maxArea: number | null,
      labelled: number,
      curve: { score: number; found: number }[],
    ) => ({
      size: name,
      minArea,
      maxArea,
      labelled,
      found: 0,
      recall: null,
      foundAtAnyScore: curve.at(-1)?.found ?? 0,
      recallAtAnyScore: labelled ? (curve.at(-1)?.found ?? 0) / labelled : null,
      curve,
    })
    const sizes = [
      size('small', 0, 1024, 0, []),
      size('medium', 1024, 9216, 4, [
        { score: 0.9, found: 1 },
        { score: 0.3, found: 3 },
      ]),
      size('large', 9216, null, 2, [{ score: 0.8, found: 2 }]),
    ]
    expect(cells(renderToStaticMarkup(createElement(SizeTable, { sizes, threshold: 0.5 })))).toEqual([
      ['Size', 'Labels', 'Found', 'Recall', 'At any score'],
      ['small &lt; 32² px', '0', '0', '–', '–'],
      ['medium 32²–96² px', '4', '1', '25 %', '75 %'],
      ['large ≥ 96² px', '2', '2', '100 %', '100 %'],
    ])
  })
})
