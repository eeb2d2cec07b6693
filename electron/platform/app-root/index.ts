/**
 * The folder of Pupitre's package.json, found upward from the calling module. Paths written
 * relative to a source file (`new URL('../../data/x.json', import.meta.url)`) break once esbuild
 * bundles the host into dist/electron/host.cjs: every module's `import.meta.url` is then the
 * bundle's, one or two folders off for a file deeper in the tree, and the Electron demo (`npm
 * start`) looked for its card profiles and demo patients in the wrong folder. Paths to the
 * project's own files are taken from this root instead, the same from the sources and from a bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'pupitre';
const roots = new Map<string, string>();

/** The project's root seen from `moduleUrl` (the caller's `import.meta.url`). */
export function appRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  const known = roots.get(start);
  if (known !== undefined) return known;
  for (let dir = start; ; dir = dirname(dir)) {
    if (isPupitrePackage(join(dir, 'package.json'))) {
      roots.set(start, dir);
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`package.json de Pupitre introuvable au-dessus de ${start}`);
  }
}

/** A file of the project, from its path relative to the root (`appPath(import.meta.url, 'fixtures', 'data')`). */
export function appPath(moduleUrl: string, ...segments: string[]): string {
  return join(appRoot(moduleUrl), ...segments);
}

function isPupitrePackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
