import type { Counts, ReviewState } from '../../../../shared/api'

/** Which photos the Library lists: all of them, or those in one review state. */
export type Filter = 'all' | ReviewState

export const totalFor = (filter: Filter, counts: Counts): number => (filter === 'all' ? counts.images : counts.byState[filter])
