import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appPath, appRoot } from './index';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('appRoot', () => {
  it('is the folder of Pupitre package.json from a source file at any depth, and from a bundle', () => {
    expect(appRoot(import.meta.url)).toBe(ROOT);
    expect(appRoot(pathToFileURL(join(ROOT, 'fixtures', 'sim', 'insi', 'identities.ts')).href)).toBe(ROOT);
    expect(appRoot(pathToFileURL(join(ROOT, 'dist', 'electron', 'host.cjs')).href)).toBe(ROOT);
    expect(appPath(pathToFileURL(join(ROOT, 'dist', 'electron', 'host.cjs')).href, 'fixtures', 'data')).toBe(join(ROOT, 'fixtures', 'data'));
  });

  it("skips another package's package.json and says when there is none", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-root-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'autre' }));
    expect(() => appRoot(pathToFileURL(join(dir, 'x.cjs')).href)).toThrow(/package.json de Pupitre introuvable/);
  });
});
