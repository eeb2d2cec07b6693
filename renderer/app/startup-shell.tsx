/**
 * The shell as the page shows it before any script has run, rendered at build time into
 * index.html by renderer/startup-shell.plugin.ts: the frame, the navigation and « Connexion… »,
 * painted with the inlined shell.css. The application replaces it on its first render.
 * Sections shown only in démo wait for the host to say which environment this is.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { StatusBadge } from '../ui';
import { sections } from './sections';
import { ShellFrame } from './ShellFrame';

function StartupTopBar() {
  return (
    <header className="topbar" role="banner">
      <div className="brand">Pupitre</div>
      <div className="topbar-status">
        <span className="indicator">
          <StatusBadge tone="warn" title="Liaison avec le service local">
            Connexion…
          </StatusBadge>
        </span>
      </div>
    </header>
  );
}

export function renderStartupShell(): string {
  return renderToStaticMarkup(
    <ShellFrame topBar={<StartupTopBar />} sections={sections.filter((section) => section.demoOnly !== true)} active={undefined} placeholder>
      <p className="muted">Chargement…</p>
    </ShellFrame>,
  );
}
