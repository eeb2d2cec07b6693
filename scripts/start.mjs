// `npm start`: builds the renderer and the Electron bundles, rebuilds the native addons for
// Electron's ABI (this downloads Electron's headers, so it happens here and never in
// postinstall), then opens Pupitre in Electron in demo mode on a fresh install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npm', ['run', 'build']);

let electronPath;
try {
  electronPath = require('electron');
} catch {
  electronPath = undefined;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  console.error(
    "Electron n'est pas installé sur ce poste (téléchargement impossible ?).\n" +
      '→ Réinstallez avec accès à Internet (« npm install »), ou utilisez Pupitre dans le navigateur : « npm run serve ».',
  );
  process.exit(1);
}
run('npx', ['electron-builder', 'install-app-deps']);
console.log('Modules natifs compilés pour Electron. Pour revenir aux tests Node : « npm rebuild ».');
run(electronPath, ['.']);
