import { useEffect, useLayoutEffect } from 'react';
import { useHostQuery } from '../bridge/queries';
import { navigate, useRoute } from './router';
import { sections } from './sections';
import { ShellFrame } from './ShellFrame';
import { TopBar } from './TopBar';

export function App() {
  const route = useRoute();
  const info = useHostQuery('app.info', {});
  const demo = info.data?.environment === 'demo';
  const visible = sections.filter((section) => !section.demoOnly || demo);
  const active = visible.find((section) => route.startsWith(section.path)) ?? visible[0];

  // Start-up stage read by bench/startup.bench.ts: React's first commit of the shell.
  useLayoutEffect(() => {
    performance.mark('pupitre:shell-rendered');
  }, []);

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
    <ShellFrame topBar={<TopBar />} sections={visible} active={active}>
      {active?.render()}
    </ShellFrame>
  );
}
