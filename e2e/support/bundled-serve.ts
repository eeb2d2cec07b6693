/**
 * `pupitre serve` bundled as the product bundles its host (dist/electron/host.cjs, same esbuild
 * options), its worker beside it. The benches that drive the whole desk measure the host this way
 * (through tsx, every inner function pays a naming helper the shipped host does not), and an e2e
 * test runs the demo from the bundle: paths taken relative to a source file break there.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { HOST_BUNDLE } from '../../scripts/electron-bundles.mjs';
import { ROOT, startServeWith, type RunningApp } from './app';

const OUT = join(ROOT, 'dist', 'serve-bundle');

let bundled: Promise<string> | null = null;

/** Builds the bundle once per process; its path. */
function bundleServe(): Promise<string> {
  bundled ??= (async () => {
    const entry = join(OUT, 'serve.cjs');
    await Promise.all([
      build({ ...HOST_BUNDLE, sourcemap: false, entryPoints: [join(ROOT, 'e2e/support/serve-entry.ts')], outfile: entry }),
      // The host looks for its worker thread beside its own file (host/workers/index.ts).
      build({ ...HOST_BUNDLE, sourcemap: false, entryPoints: [join(ROOT, 'electron/host/workers/tasks.ts')], outfile: join(OUT, 'worker.cjs') }),
    ]);
    return entry;
  })();
  return bundled;
}

/** `pupitre serve --demo` from the bundle. BENCH_SERVE_NODE_ARGS: Node flags for investigations (`--cpu-prof`). */
export async function startBundledServe(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  return startServeWith(await bundleServe(), extraArgs, env, nodeArgs);
}
