// The list of pages. Navigation is by URL hash, so the shell stays mounted and a reload keeps the page.
import type { PageName } from '../state/usePage'
import { Icon, Logo } from './Icon'

const ITEMS: { page: PageName; label: string }[] = [
  { page: 'library', label: 'Library' },
  { page: 'review', label: 'Review' },
  { page: 'train', label: 'Train' },
  { page: 'evaluate', label: 'Evaluate' },
  { page: 'devices', label: 'Devices' },
  { page: 'compare', label: 'Compare' },
]

export function NavRail({ current }: { current: PageName }) {
  return (
    <nav className="nav-rail" aria-label="Pages">
      <div className="nav-brand" title="Kindling Studio">
        <Logo size={30} />
      </div>
      <ul className="nav-list">
        {ITEMS.map(({ page, label }) => (
          <li key={page}>
            <a
              className={`nav-item${page === current ? ' is-active' : ''}`}
              href={`#${page}`}
              aria-current={page === current ? 'page' : undefined}
              data-testid={`nav-${page}`}
            >
              <Icon name={page} size={18} />
              <span>{label}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}
