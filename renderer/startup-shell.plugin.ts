/**
 * Vite plugin: the page paints the desk's frame before any script or stylesheet request
 * (bench/startup.bench.ts, target: first contentful paint ≤ 2 × a static page).
 * - `<!--startup-shell-->` in index.html becomes the shell rendered by React at build time
 *   (app/startup-shell.tsx, the same ShellFrame the application renders);
 * - `<!--shell-css-->` becomes `<style>` with ui/shell.css, whose SHA-256 the Content-Security-Policy
 *   allows (electron/contract/csp.ts; no 'unsafe-inline'). A stale hash fails the build.
 * The design system's stylesheet is fetched from the start without blocking that first paint; the
 * application's code is fetched and evaluated after the first frame (boot.ts), and main.tsx applies
 * the stylesheet before it renders.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from '../electron/contract/csp.ts';

const SHELL_CSS = fileURLToPath(new URL('./ui/shell.css', import.meta.url));
const STARTUP_SHELL = fileURLToPath(new URL('./app/startup-shell.tsx', import.meta.url));
const RENDERER_TSCONFIG = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

/** ui/shell.css as inlined (line endings normalised, so a Windows checkout hashes the same). */
export function shellCss(): { text: string; hash: string } {
  const text = readFileSync(SHELL_CSS, 'utf8').replace(/\r\n/g, '\n');
  return { text, hash: `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}` };
}

export function startupShell(): Plugin {
  return {
    name: 'pupitre-startup-shell',
    async transformIndexHtml(html, ctx) {
      const css = shellCss();
      if (!CONTENT_SECURITY_POLICY.includes(`'${css.hash}'`)) {
        throw new Error(`renderer/ui/shell.css changed: put '${css.hash}' in style-src (electron/contract/csp.ts and the meta tag of renderer/index.html).`);
      }
      // tsx loads the TSX with the renderer's JSX settings; nothing of it enters the bundle.
      const { tsImport } = await import('tsx/esm/api');
      const { renderStartupShell } = (await tsImport(STARTUP_SHELL, { parentURL: import.meta.url, tsconfig: RENDERER_TSCONFIG })) as { renderStartupShell(): string };
      for (const marker of ['<!--shell-css-->', '<!--startup-shell-->']) {
        if (!html.includes(marker)) throw new Error(`renderer/index.html lost its ${marker} marker`);
      }
      const shell = renderStartupShell();
      // main.tsx imports ui/styles.css dynamically (so that it does not block the first paint):
      // fetch it from the start, as Vite's preload helper will ask for it (crossorigin included).
      const styles = Object.values(ctx.bundle ?? {}).filter((output) => output.type === 'asset' && output.originalFileNames.includes('ui/styles.css'));
      return {
        html: html.replace('<!--shell-css-->', () => `<style>${css.text}</style>`).replace('<!--startup-shell-->', () => shell),
        tags: styles.map((output) => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: '', href: `./${output.fileName}` }, injectTo: 'head' as const })),
      };
    },
  };
}
