// Worker thread entry when the host runs from its TypeScript sources (CLI through tsx, tests): the
// thread registers tsx as bin/pupitre.mjs does, then serves the host's tasks. The packaged app
// runs dist/electron/worker.cjs, built from tasks.ts by scripts/build-electron.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./tasks.ts');
