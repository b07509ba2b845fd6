// The Library: every photo in the project, by review state, with the import that brings more in and the kindling
// that labels them — all of them, or the photos selected in the grid.
import { useEffect, useId, useMemo, useState } from 'react'
import type { ImageSort, JobProgress, ProjectInfo, TagFilter } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { useExternalChanges } from '../../state/useExternalChanges'
import { banners, finishedJobs } from './banners'
import { type Filter, totalFor } from './filters'
import { type ImageQuery, listKey } from './imagePages'
import { ImportPanel } from './ImportPanel'
import { ImportStatus } from './ImportStatus'
import { KindlePanel } from './KindlePanel'
import { KindleStatus } from './KindleStatus'
import { SortSelect } from './SortSelect'
import { StateTabs } from './StateTabs'
import { TagFilterSelect } from './TagFilterSelect'
import { SelectionStatus } from './SelectionStatus'
import { ThumbnailGrid } from './ThumbnailGrid'
import { useImagePages } from './useImagePages'
import { useSelection } from './useSelection'
import '../../styles/library.css'

const EMPTY_TEXT: Record<Filter, string> = {
  all: 'No photos yet — import a folder',
  new: 'No new photos: every photo has labels',
  kindled: 'No kindled photos waiting for review',
  reviewed: 'No reviewed photos yet',
}

export function LibraryPage({ project, jobs }: { project: ProjectInfo; jobs: JobProgress[] }) {
  const [filter, setFilter] = useState<Filter>('all')
  const [sort, setSort] = useState<ImageSort>('name')
  const [tag, setTag] = useState<TagFilter | undefined>(undefined)
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set())
  const [started, setStarted] = useState<string | null>(null)
  const [kindleStarted, setKindleStarted] = useState<string | null>(null)
  const pages = useImagePages(project.counts)
  const gridId = useId()
  const query = useMemo<ImageQuery>(
    () => ({ ...(filter === 'all' ? {} : { state: filter }), ...(tag ? { tag } : {}), sort }),
    [filter, tag, sort],
  )
  const { selection, selecting, pick, selectAll, clear } = useSelection(pages, query)
  const tagTotal = useTagTotal(query, project)
  const total = query.tag ? (tagTotal ?? 0) : totalFor(filter, project.counts)
  // Another list puts other photos under the same positions: a selection (and its Shift+click anchor) made in one
  // would be invisible in the next, so it ends with the list it was made in.
  const showList = (next: { filter?: Filter; sort?: ImageSort; tag?: TagFilter | null }) => {
    clear()
    if (next.filter) setFilter(next.filter)
    if (next.sort) setSort(next.sort)
    if (next.tag !== undefined) setTag(next.tag ?? undefined)
  }

  // Until its first progress report (which follows the folder scan) a just-started job is shown as starting, and
  // already overtakes the summary of the job before it.
  const unseen = [
    ...(started !== null && !jobs.some((job) => job.jobId === started) ? [startingJob(started, project.dir)] : []),
    ...(kindleStarted !== null && !jobs.some((job) => job.jobId === kindleStarted)
      ? [{ ...startingJob(kindleStarted, project.dir), kind: 'kindle' as const }]
      : []),
  ]
  const { import: shown, kindle: kindling } = banners([...jobs, ...unseen], dismissed)
  const running = jobs.some((job) => job.state === 'running') || unseen.length > 0
  const dismiss = (jobIds: string[]) => setDismissed((set) => new Set([...set, ...jobIds]))
  // Another process changed the project: what the finished jobs' summaries say may no longer be so.
  useExternalChanges(() => dismiss(finishedJobs(jobs)))

  return (
    <div className="library">
      <div className="library-actions">
        <ImportPanel busy={running} onStarted={setStarted} />
        {shown && <ImportStatus job={shown} onDismiss={() => dismiss([shown.jobId])} />}
        <KindlePanel busy={running} photos={project.counts.images} selected={selection.ids} selecting={selecting} onStarted={setKindleStarted} />
        {kindling && <KindleStatus job={kindling} onDismiss={() => dismiss([kindling.jobId])} />}
      </div>
      <div className="library-toolbar">
        <StateTabs counts={project.counts} value={filter} onChange={(next) => showList({ filter: next })} controls={gridId} />
        <SelectionStatus count={selection.ids.size} selecting={selecting} onClear={clear} />
        <TagFilterSelect value={tag} counts={project.counts} onChange={(next) => showList({ tag: next ?? null })} />
        <SortSelect value={sort} onChange={(next) => showList({ sort: next })} />
      </div>
      <ThumbnailGrid
        key={listKey(query)}
        id={gridId}
        pages={pages}
        query={query}
        total={total}
        emptyText={
          query.tag
            ? `No ${filter === 'all' ? '' : `${filter} `}photos ${query.tag.value ? 'tagged' : 'without the tag'} ${query.tag.name}`
            : EMPTY_TEXT[filter]
        }
        selected={selection.ids}
        onPick={pick}
        onSelectAll={() => selectAll(total)}
        onClearSelection={clear}
      />
    </div>
  )
}

/**
 * How many photos a tag-filtered list has: the tallies behind the state tabs know nothing of tags, so the studio
 * counts them (an index range), again whenever the project's counts move.
 */
function useTagTotal(query: ImageQuery, project: ProjectInfo): number | null {
  const studio = useStudio()
  const [total, setTotal] = useState<{ key: string; n: number } | null>(null)
  const key = listKey(query)
  useEffect(() => {
    if (!query.tag) return
    let live = true
    studio
      .request('images.page', { ...query, offset: 0, limit: 1 })
      .then((r) => live && setTotal({ key, n: r.total }))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [studio, query, key, project.counts])
  return total?.key === key ? total.n : null
}

function startingJob(jobId: string, projectDir: string): JobProgress {
  return {
    jobId,
    kind: 'import',
    projectDir,
    state: 'running',
    done: 0,
    total: null,
    imported: 0,
    duplicates: 0,
    skipped: [],
    perSec: null,
    etaMs: null,
    elapsedMs: 0,
  }
}
