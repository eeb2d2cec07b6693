/**
 * The desk's frame: top bar, navigation, content. The application renders it with the live top
 * bar; the build renders it once more, without data, into index.html (startup-shell.tsx), so that
 * the page paints the same frame before any script has run.
 */
import type { ReactNode } from 'react';
import type { Section } from './sections';

interface ShellFrameProps {
  topBar: ReactNode;
  sections: readonly Section[];
  active: Section | undefined;
  children: ReactNode;
  /** The build-time copy: entries are not links yet (a click before the application starts
   * would replace the URL fragment that carries the connection token). */
  placeholder?: boolean;
}

export function ShellFrame({ topBar, sections, active, children, placeholder = false }: ShellFrameProps) {
  return (
    <div className="shell" aria-busy={placeholder ? true : undefined}>
      {topBar}
      <nav className="sidenav" aria-label="Navigation principale">
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <a href={placeholder ? undefined : `#${section.path}`} aria-current={section === active ? 'page' : undefined} aria-keyshortcuts={`Alt+${section.shortcut}`}>
                <span>{section.label}</span>
                <kbd>Alt+{section.shortcut}</kbd>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="contenu">
        {children}
      </main>
    </div>
  );
}
