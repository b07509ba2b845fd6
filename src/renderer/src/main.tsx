// Base styles first: page styles, imported by their components, build on them and must come later in the bundle.
import './styles/base.css'
import './styles/shell.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { connectStudio } from './api'
import { StudioProvider } from './api/StudioProvider'
import { App } from './App'

const { api, connection } = connectStudio()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StudioProvider api={api} connection={connection}>
      <App />
    </StudioProvider>
  </StrictMode>,
)
