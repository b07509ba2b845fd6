// A folder path typed by hand, with a native Browse… button where the platform has a picker, and the studio's
// complaint about the path (if any) right under it.
import { useId } from 'react'
import { useStudio } from '../api/context'
import { Icon } from './Icon'

export interface PathFieldProps {
  label: string
  value: string
  onChange(value: string): void
  error: string | null
  placeholder?: string
  testId?: string
  disabled?: boolean
  /** Label beside the input rather than above it, for toolbars. */
  inline?: boolean
}

export function PathField(props: PathFieldProps) {
  const { label, value, onChange, error, placeholder, testId, disabled, inline } = props
  const studio = useStudio()
  const id = useId()
  const pickFolder = studio.pickFolder

  const browse = async () => {
    const picked = await pickFolder?.()
    if (picked) onChange(picked)
  }

  return (
    <div className={inline ? 'field is-inline' : 'field'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="field-row">
        <div className="input-with-icon">
          <Icon name="folder" />
          <input
            id={id}
            className="input mono"
            type="text"
            value={value}
            placeholder={placeholder}
            spellCheck={false}
            autoComplete="off"
            disabled={disabled}
            aria-invalid={error !== null}
            aria-describedby={error ? `${id}-error` : undefined}
            data-testid={testId}
            onChange={(e) => onChange(e.target.value)}
          />
        </div>
        {pickFolder && (
          <button type="button" className="button" onClick={() => void browse()} disabled={disabled}>
            Browse…
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
