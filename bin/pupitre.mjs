#!/usr/bin/env node
// `pupitre` CLI: runs the host's TypeScript sources through tsx (no build step needed after
// `npm install`). The packaged Electron app bundles the same sources with esbuild instead.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
