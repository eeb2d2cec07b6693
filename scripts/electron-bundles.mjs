// How the Electron bundles are built (esbuild), shared by scripts/build-electron.mjs and by the
// tests and benches that run the host as it ships (e2e/support/bundled-serve.ts).

/** Native addons and electron stay external (loaded at run time from node_modules). libxml2-wasm:
 * an ES module with top-level await (its WebAssembly), loaded with import() at run time. */
const EXTERNAL = ['electron', 'better-sqlite3-multiple-ciphers', 'pcsclite', 'pkcs11js', 'node-hid', 'bwip-js', 'libxml2-wasm'];

/** Options of every bundle (main process, preload, host, worker). */
export const NODE_BUNDLE = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', sourcemap: true, external: EXTERNAL, logLevel: 'warning' };

/** The host and its worker also read import.meta.url (electron/platform/app-root: the project's files). */
export const HOST_BUNDLE = {
  ...NODE_BUNDLE,
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};
