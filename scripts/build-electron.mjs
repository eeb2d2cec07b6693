// Bundles the Electron main process, the preload script and the host into dist/electron with
// esbuild. Native addons and electron stay external (loaded at run time from node_modules).
import { build } from 'esbuild';

// libxml2-wasm: an ES module with top-level await (its WebAssembly), loaded with import() at run time.
const external = ['electron', 'better-sqlite3-multiple-ciphers', 'pcsclite', 'pkcs11js', 'node-hid', 'bwip-js', 'libxml2-wasm'];
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', sourcemap: true, external, logLevel: 'warning' };

await Promise.all([
  build({ ...common, entryPoints: ['electron/main/index.ts'], outfile: 'dist/electron/main.cjs' }),
  build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: 'dist/electron/preload.cjs' }),
  build({
    ...common,
    entryPoints: ['electron/host/main.ts'],
    outfile: 'dist/electron/host.cjs',
    // import.meta.url is used by the host to find its package.json and native modules.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // The host's worker thread (CSV imports, large documents): electron/host/workers/tasks.ts.
  build({
    ...common,
    entryPoints: ['electron/host/workers/tasks.ts'],
    outfile: 'dist/electron/worker.cjs',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
]);
console.log('dist/electron: main.cjs, preload.cjs, host.cjs, worker.cjs');
