// The Library's window onto a list that may hold 100,000 photos: pages of summaries fetched as they scroll into view,
// kept while they are useful, and marked stale (still shown, refetched when next in view) when the project changes.
import type { Counts, ImageSort, ImageSummary, ReviewState, TagFilter, ThumbnailBox } from '../../../../shared/api'

const PAGE_SIZE = 200
/** Least recently used pages beyond this are dropped: 400 pages is 80,000 summaries, some tens of MB at most. */
const MAX_PAGES = 400

/** A photo as the grid shows it: its summary and the boxes to draw over its thumbnail. */
export interface LibraryImage extends ImageSummary {
  overlay: ThumbnailBox[]
}

export interface ImageQuery {
  state?: ReviewState
  /** Only photos whose tag is (or is not) set. */
  tag?: TagFilter
  sort: ImageSort
}

/** A list's name: its filters and sort. */
export const listKey = (query: ImageQuery) =>
  `${query.state ?? 'all'}|${query.tag ? `${query.tag.value ? '' : '!'}${query.tag.name}` : ''}|${query.sort}`

type FetchPage = (query: ImageQuery, offset: number, limit: number) => Promise<LibraryImage[]>

interface Entry {
  query: ImageQuery
  index: number
  stale: boolean
}

const keyOf = (query: ImageQuery, index: number) => `${listKey(query)}|${index}`

export class ImagePages {
  private readonly pages = new Map<string, Entry & { items: LibraryImage[] }>()
  private readonly loading = new Map<string, Entry>()
  private version = 0
  private readonly listeners = new Set<() => void>()

  constructor(private readonly fetchPage: FetchPage) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Changes whenever what `item` returns may have changed. */
  readonly getVersion = (): number => this.version

  item(query: ImageQuery, index: number): LibraryImage | undefined {
    return this.pages.get(keyOf(query, Math.floor(index / PAGE_SIZE)))?.items[index % PAGE_SIZE]
  }

  /** Load the pages covering items `first`…`last` that are missing or stale, unless already on their way. */
  ensure(query: ImageQuery, first: number, last: number): void {
    for (let index = Math.floor(first / PAGE_SIZE); index <= Math.floor(last / PAGE_SIZE); index++) {
      const key = keyOf(query, index)
      const page = this.pages.get(key)
      if (page) this.touch(key, page)
      if ((page && !page.stale) || this.loading.has(key)) continue
      this.load(key, { query, index, stale: false })
    }
  }

  /**
   * The project changed. `staleFrom` says, for each list, from which position its pages may be out of date (0: all
   * of it) or null if it cannot have changed. Pages already loading are marked too, so they arrive stale.
   */
  markStale(staleFrom: (query: ImageQuery) => number | null): void {
    let marked = false
    for (const entry of [...this.pages.values(), ...this.loading.values()]) {
      const from = staleFrom(entry.query)
      if (from !== null && (entry.index + 1) * PAGE_SIZE > from && !entry.stale) {
        entry.stale = true
        marked = true
      }
    }
    if (marked) this.changed()
  }

  private load(key: string, entry: Entry) {
    this.loading.set(key, entry)
    this.fetchPage(entry.query, entry.index * PAGE_SIZE, PAGE_SIZE).then(
      (items) => {
        this.loading.delete(key)
        this.touch(key, { ...entry, items })
        this.evict()
        this.changed()
      },
      (error: unknown) => {
        // Left missing, and tried again when the list next scrolls or changes; retrying at once could spin.
        this.loading.delete(key)
        console.warn(`could not load images ${entry.index * PAGE_SIZE}+`, error)
      },
    )
  }

  /** (Re)insert, so the Map's order is least recently used first. */
  private touch(key: string, page: Entry & { items: LibraryImage[] }) {
    this.pages.delete(key)
    this.pages.set(key, page)
  }

  private evict() {
    for (const key of this.pages.keys()) {
      if (this.pages.size <= MAX_PAGES) break
      this.pages.delete(key)
    }
  }

  private changed() {
    this.version++
    for (const listener of this.listeners) listener()
  }
}

/**
 * From which position a list may be out of date after the counts went from `before` to `after`, or null if it cannot
 * have changed. An import only adds new photos: that leaves the kindled and reviewed lists alone, and only appends to
 * a list sorted oldest first; in name order, or newest first, the new photos can land anywhere.
 */
export function staleFrom(query: ImageQuery, before: Counts, after: Counts): number | null {
  // The counts say nothing of tags: a list filtered by one may have changed anywhere.
  if (query.tag) return 0
  const total = (c: Counts) => (query.state ? c.byState[query.state] : c.images)
  const onlyNewPhotosAdded =
    after.byState.new >= before.byState.new &&
    after.byState.kindled === before.byState.kindled &&
    after.byState.reviewed === before.byState.reviewed &&
    after.boxes === before.boxes &&
    after.kindled === before.kindled &&
    after.reviewed === before.reviewed &&
    after.classes === before.classes
  if (!onlyNewPhotosAdded) return 0
  if (total(after) === total(before)) return null
  return query.sort === 'oldest' ? total(before) : 0
}
