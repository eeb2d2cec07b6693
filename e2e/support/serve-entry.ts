/**
 * `pupitre serve` as the product ships its host: this entry is bundled by bundled-serve.ts with the
 * options of dist/electron/host.cjs (scripts/electron-bundles.mjs), where bin/pupitre.mjs runs the
 * sources through tsx.
 */
import { main } from '../../electron/host/cli/main';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
