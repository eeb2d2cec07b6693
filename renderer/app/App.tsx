import { useEffect } from 'react';
import { useHostQuery } from '../bridge/queries';
import { navigate, useRoute } from './router';
import { sections } from './sections';
import { TopBar } from './TopBar';

export function App() {
  const route = useRoute();
  const info = useHostQuery('app.info', {});
  const demo = info.data?.environment === 'demo';
  const visible = sections.filter((section) => !section.demoOnly || demo);
  const active = visible.find((section) => route.startsWith(section.path)) ?? visible[0];

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const target = visible.find((section) => section.shortcut === event.key);
      if (target) {
        event.preventDefault();
        navigate(target.path);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible]);

  return (
    <div className="shell">
      <TopBar />
      <nav className="sidenav" aria-label="Navigation principale">
        <ul>
          {visible.map((section) => (
            <li key={section.path}>
              <a href={`#${section.path}`} aria-current={section === active ? 'page' : undefined} aria-keyshortcuts={`Alt+${section.shortcut}`}>
                <span>{section.label}</span>
                <kbd>Alt+{section.shortcut}</kbd>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="contenu">
        {active?.render()}
      </main>
    </div>
  );
}
