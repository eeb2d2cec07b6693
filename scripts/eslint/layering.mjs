// ESLint rule enforcing the layering of ARCHITECTURE.md §2 on resolved import paths, the way
// VS Code's layer rule refuses an import that crosses a runtime layer the wrong way.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const NATIVE_ADDONS = new Set(['pcsclite', 'pkcs11js', 'node-hid', 'better-sqlite3-multiple-ciphers', 'better-sqlite3']);
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Where a project file sits: { layer, unit } (unit = the service or platform module name). */
function locate(absPath) {
  const rel = relative(ROOT, absPath).split(sep);
  const [top, second, third] = rel;
  if (top === 'electron') {
    if (second === 'services' || second === 'platform') return { layer: second, unit: third ?? '' };
    return { layer: second ?? 'electron', unit: '' };
  }
  if (top === 'native') return { layer: 'native', unit: second ?? '' };
  return { layer: top ?? '', unit: '' };
}

const isTest = (file) => /\.(test|conformance\.test|hw\.test)\.tsx?$/.test(file) || file.includes(`${sep}e2e${sep}`);
/** The only product files allowed to import fixtures: the host's demo wiring and the CLI `sim`. */
const mayUseFixtures = (file) => {
  const rel = relative(ROOT, file);
  return rel.startsWith(`electron${sep}host${sep}demo`) || rel.startsWith(`electron${sep}host${sep}cli${sep}sim`);
};

/**
 * Simulators (fixtures/sim) are the other side of the wire: if they reused the product's services
 * (rights, VIHF reading, ebRIM), the product's tests would check the product against itself
 * (issue 16). They may use the platform layer (XML, signatures, SOAP, TLS), native adapters and
 * each other; their own tests may also use the tier helpers of fixtures/testing.
 */
const isSimulator = (file) => relative(ROOT, file).startsWith(`fixtures${sep}sim${sep}`);
/**
 * The one known exception, listed so that nothing else slips in (to remove): the e-prescription
 * teleservice has no public specification, so its simulator speaks Pupitre's own MODELLED wire
 * format through the product's module and reads the eP-MED-DM lines with the product's CDA reader.
 */
const SIMULATOR_EXCEPTIONS = new Map([
  [
    ['fixtures', 'sim', 'eprescription', 'server.ts'].join(sep),
    new Set(['teleservice/wire', 'cda/read', 'model'].map((m) => ['electron', 'services', 'eprescription', ...m.split('/')].join(sep))),
  ],
]);
const simulatorMayImport = (file, target) => {
  const rel = relative(ROOT, target);
  const under = (folder) => rel === folder || rel.startsWith(`${folder}${sep}`);
  if (under(`electron${sep}platform`) || under('native') || under(`fixtures${sep}sim`)) return true;
  if (SIMULATOR_EXCEPTIONS.get(relative(ROOT, file))?.has(rel.replace(/\.ts$/, '')) === true) return true;
  return isTest(file) && under(`fixtures${sep}testing`);
};

const ALLOWED = {
  renderer: new Set(['renderer', 'contract']),
  contract: new Set(['contract']),
  main: new Set(['main', 'contract']),
  preload: new Set(['preload']),
  host: new Set(['host', 'contract', 'services', 'platform', 'native']),
  services: new Set(['services', 'platform', 'contract', 'native']),
  platform: new Set(['platform', 'contract', 'native']),
  native: new Set(['native', 'contract', 'platform']),
};

function check(context, node, specifier, typeOnly) {
  const file = context.filename;
  const from = locate(file);
  const report = (message) => context.report({ node, message });

  if (!specifier.startsWith('.')) {
    const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (pkg === 'electron' && !typeOnly && from.layer !== 'main' && from.layer !== 'preload') {
      return report("only electron/main and electron/preload import 'electron' (ARCHITECTURE.md §2)");
    }
    if (NATIVE_ADDONS.has(pkg) && !['native', 'bench', 'fixtures'].includes(from.layer) && !typeOnly) {
      return report(`native addon '${pkg}' is imported only by native/ (ARCHITECTURE.md §2)`);
    }
    // Vite's config and plugins (`*.plugin.ts`) run in Node at build time, never in the page.
    if (from.layer === 'renderer' && NODE_BUILTINS.has(specifier) && !isTest(file) && !file.endsWith('.config.ts') && !file.endsWith('.plugin.ts')) {
      return report('the renderer is sandboxed: no Node built-in modules');
    }
    return undefined;
  }

  const target = resolve(dirname(file), specifier);
  const to = locate(target);
  if (isSimulator(file) && !simulatorMayImport(file, target)) {
    return report(
      'a simulator stands on its own: fixtures/sim imports only electron/platform, native/ and fixtures/sim (tests: also fixtures/testing), never the product it checks (wire the product to it in fixtures/wiring)',
    );
  }
  if (to.layer === 'fixtures' && from.layer !== 'fixtures' && !isTest(file) && !mayUseFixtures(file) && !['bench', 'e2e', 'scripts'].includes(from.layer)) {
    return report('nothing in the product imports fixtures/, except the host demo wiring and `pupitre sim`');
  }
  const allowed = ALLOWED[from.layer];
  if (allowed === undefined) return undefined; // fixtures, e2e, bench, scripts: test doubles and tools
  if (to.layer === 'fixtures' || !['renderer', 'contract', 'main', 'preload', 'host', 'services', 'platform', 'native'].includes(to.layer)) {
    return undefined;
  }
  if (!allowed.has(to.layer)) {
    if (from.layer === 'native' && to.layer === 'platform' && !typeOnly) return report('native/ may only import types from electron/platform');
    return report(`${from.layer} must not import ${to.layer} (ARCHITECTURE.md §2)`);
  }
  if (from.layer === 'native' && to.layer === 'platform' && !typeOnly) {
    return report('native/ may only import types from electron/platform');
  }
  if (to.layer === 'services' && !(from.layer === 'services' && from.unit === to.unit)) {
    const rel = relative(resolve(ROOT, 'electron', 'services', to.unit), target);
    if (rel !== '' && rel !== 'index' && rel !== 'index.ts') {
      return report(`import the ${to.unit} service through its index.ts, not ${specifier}`);
    }
  }
  return undefined;
}

export const layering = {
  meta: { type: 'problem', docs: { description: 'enforce the ARCHITECTURE.md layering' }, schema: [] },
  create(context) {
    const typeOnlyDecl = (node) => node.importKind === 'type' || node.exportKind === 'type';
    return {
      ImportDeclaration(node) {
        const typeOnly = typeOnlyDecl(node) || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
        check(context, node, node.source.value, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(context, node, node.source.value, typeOnlyDecl(node));
      },
      ExportAllDeclaration(node) {
        check(context, node, node.source.value, typeOnlyDecl(node));
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string') check(context, node, node.source.value, false);
      },
    };
  },
};

export default { rules: { layering } };
