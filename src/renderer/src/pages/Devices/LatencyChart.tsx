// Latency over time (uPlot: thousands of points stay smooth), with the device's temperature on a second axis when it
// reports one. The chart is created once and fed with setData as samples stream in.
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { LatencySample } from '../../../../shared/api'

export function LatencyChart({ samples, width = 640, height = 220 }: { samples: LatencySample[]; width?: number; height?: number }) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot | null>(null)
  const hasTemp = samples.some((s) => s.tempC !== null)

  useEffect(() => {
    const options: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      scales: { x: { time: false } },
      axes: [
        { stroke: '#9ba3b0', grid: { stroke: '#242932' }, label: 'inference' },
        { stroke: '#9ba3b0', grid: { stroke: '#242932' }, label: 'ms' },
        ...(hasTemp ? [{ side: 1, scale: '°C', stroke: '#e9b44c', grid: { show: false }, label: '°C' } as uPlot.Axis] : []),
      ],
      series: [
        {},
        { label: 'latency', stroke: '#f08a3c', width: 1.5, points: { show: false } },
        ...(hasTemp ? [{ label: 'temperature', scale: '°C', stroke: '#e9b44c', width: 1, points: { show: false } }] : []),
      ],
    }
    chart.current = new uPlot(options, [[], [], ...(hasTemp ? [[]] : [])], box.current!)
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
  }, [width, height, hasTemp])

  useEffect(() => {
    const x = samples.map((s) => s.i)
    const data: uPlot.AlignedData = [x, samples.map((s) => s.ms), ...(hasTemp ? [samples.map((s) => s.tempC)] : [])]
    chart.current?.setData(data)
  }, [samples, hasTemp])

  return <div ref={box} className="latency-chart" data-testid="latency-chart" data-samples={samples.length} />
}

/** How the latencies spread: 20 equal-width bins from the fastest to the slowest sample. */
export function Histogram({ samples }: { samples: LatencySample[] }) {
  if (samples.length === 0) return <div className="histogram is-empty">No samples yet</div>
  const ms = samples.map((s) => s.ms)
  const lo = Math.min(...ms)
  const hi = Math.max(...ms)
  const bins = 20
  const width = (hi - lo) / bins || 1
  const counts = new Array<number>(bins).fill(0)
  for (const v of ms) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++
  const most = Math.max(...counts)
  return (
    <div className="histogram" data-testid="histogram">
      <div className="histogram-bars">
        {counts.map((c, i) => (
          <div
            key={i}
            className="histogram-bar"
            style={{ height: `${(c / most) * 100}%` }}
            title={`${(lo + i * width).toFixed(1)}–${(lo + (i + 1) * width).toFixed(1)} ms: ${c}`}
          />
        ))}
      </div>
      <div className="histogram-axis">
        <span>{lo.toFixed(1)} ms</span>
        <span>{hi.toFixed(1)} ms</span>
      </div>
    </div>
  )
}
