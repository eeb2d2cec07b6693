// `npm run serve`: builds the interface when it is missing (a fresh clone, after `npm install`),
// then starts `pupitre serve --demo`. Without this, a newcomer got the server's 503 page.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The renderer's entry page, as `pupitre serve` serves it (electron/host/cli/serve.ts RENDERER_DIST). */
export function rendererIndex(root = ROOT) {
  return join(root, 'dist', 'renderer', 'index.html');
}

/** The same build as `npm run build:renderer`. */
export function buildRenderer(root = ROOT) {
  const result = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return result.status === 0;
}

/** Builds the interface when it is not there; true when it is there afterwards. */
export function ensureRenderer({ root = ROOT, build = buildRenderer, log = (text) => console.error(text) } = {}) {
  if (existsSync(rendererIndex(root))) return true;
  log('Interface absente : construction (« npm run build:renderer »)…');
  if (!build(root) || !existsSync(rendererIndex(root))) {
    log('La construction de l’interface a échoué : lancez « npm run build:renderer » pour voir le détail.');
    return false;
  }
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!ensureRenderer()) process.exit(1);
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../electron/host/cli/main.ts');
  process.exitCode = await main(['serve', '--demo', ...process.argv.slice(2)]);
}
