// The few line icons the UI uses, drawn inline so they follow the text colour and need no asset requests.
const PATHS = {
  library: 'M3 3h4v4H3zM9 3h4v4H9zM3 9h4v4H3zM9 9h4v4H9z',
  review: 'M2.5 3.5h11v9h-11zM5 6h3.5v3.5H5zM10 10.5l1.5 1.5',
  train: 'M2.5 13.5h11M3.5 11l3-4 2.5 2 4-5.5',
  evaluate: 'M3 12.5V3.5M3 12.5h10.5M5 5.5c2 0 3.5 1 4.5 3s2.5 3 4 3',
  devices: 'M4 3h8v10H4zM6 5.5h4v3H6zM6.5 11h3',
  compare: 'M2.5 2.5v11h11M5.5 10.5v.01M8 8v.01M11 4.5v.01M5.5 10.5H8V8h3V4.5',
  copy: 'M5.5 5.5h7v8h-7zM3.5 10.5v-8h7',
  folder: 'M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z',
  import: 'M8 2.5v7M5 6.5l3 3 3-3M3 10.5v2h10v-2',
  close: 'M4 4l8 8M12 4l-8 8',
  chevron: 'M6 4l4 4-4 4',
  check: 'M3.5 8.5l3 3 6-7',
  lock: 'M4.5 7.5h7v6h-7zM6 7.5V5.5a2 2 0 0 1 4 0v2',
  alert: 'M8 2.5l6 10.5H2zM8 6.5v3M8 11.25v.01',
} as const

type IconName = keyof typeof PATHS

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.4}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[name]} />
    </svg>
  )
}

/** The app's mark: a flame on a tile. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="logo">
      <rect className="logo-tile" width="32" height="32" rx="7" />
      <path
        d="M16.4 5c.6 3.6-1.3 5.5-3.2 7.6-1.8 2-3.4 3.9-3.4 6.9A6.3 6.3 0 0 0 16 26a6.3 6.3 0 0 0 6.2-6.3c0-2.4-1-4.2-2.3-5.6.1 1.7-.5 3-1.6 3.6.4-4.6-.6-9.4-1.9-12.7Z"
        className="logo-flame"
      />
      <path
        d="M16 26a3.1 3.1 0 0 1-3.1-3.1c0-1.9 1.5-2.9 2.4-4.4.5 1.4 1.9 2 2.9 3.3.6.7.9 1.4.9 2.2A3.1 3.1 0 0 1 16 26Z"
        className="logo-core"
      />
    </svg>
  )
}
