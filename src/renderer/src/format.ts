// Numbers and durations as the UI prints them.
const integer = new Intl.NumberFormat('en')

export const formatCount = (n: number): string => integer.format(n)

/** "1 photo", "12 photos", "1,200 photos". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`
}

/** "8 s", "2 min 5 s", "1 h 3 min": precise enough to plan a coffee, no more. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

export function formatRate(perSec: number): string {
  return perSec >= 10 ? formatCount(Math.round(perSec)) : perSec.toFixed(1)
}
