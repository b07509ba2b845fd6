// The list of pages. Library is the only one so far; the rest of the workflow arrives page by page.
import { Icon, Logo } from './Icon'

export function NavRail() {
  return (
    <nav className="nav-rail" aria-label="Pages">
      <div className="nav-brand" title="Kindling Studio">
        <Logo size={30} />
      </div>
      <ul className="nav-list">
        <li>
          <a className="nav-item is-active" href="#library" aria-current="page">
            <Icon name="library" size={18} />
            <span>Library</span>
          </a>
        </li>
      </ul>
    </nav>
  )
}
