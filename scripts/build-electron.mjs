// Bundles the Electron main process, the preload script and the host into dist/electron with
// esbuild (options: scripts/electron-bundles.mjs).
import { build } from 'esbuild';
import { HOST_BUNDLE, NODE_BUNDLE } from './electron-bundles.mjs';

await Promise.all([
  build({ ...NODE_BUNDLE, entryPoints: ['electron/main/index.ts'], outfile: 'dist/electron/main.cjs' }),
  build({ ...NODE_BUNDLE, entryPoints: ['electron/preload/index.ts'], outfile: 'dist/electron/preload.cjs' }),
  build({ ...HOST_BUNDLE, entryPoints: ['electron/host/main.ts'], outfile: 'dist/electron/host.cjs' }),
  // The host's worker thread (CSV imports, large documents): electron/host/workers/tasks.ts.
  build({ ...HOST_BUNDLE, entryPoints: ['electron/host/workers/tasks.ts'], outfile: 'dist/electron/worker.cjs' }),
]);
console.log('dist/electron: main.cjs, preload.cjs, host.cjs, worker.cjs');
