/**
 * Issue 13: `npm run serve` builds the interface when it is missing (a newcomer used to get the
 * server's 503 page), and leaves an existing build alone.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ES module script without type declarations
import { ensureRenderer, rendererIndex } from './serve.mjs';

const ROOT = join(import.meta.dirname, '..');

describe('npm run serve', () => {
  it('is the script that builds the interface first', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.serve).toBe('node scripts/serve.mjs');
  });

  it('builds the interface when it is missing, then serves it', () => {
    const root = mkdtempSync(join(tmpdir(), 'pupitre-serve-'));
    const built: string[] = [];
    const ok = ensureRenderer({
      root,
      build: (at: string) => {
        built.push(at);
        mkdirSync(join(at, 'dist', 'renderer'), { recursive: true });
        writeFileSync(rendererIndex(at), '<!doctype html>');
        return true;
      },
      log: () => undefined,
    });
    expect(ok).toBe(true);
    expect(built).toEqual([root]);
  });

  it('does not rebuild an interface that is there, and says so when a build fails', () => {
    const root = mkdtempSync(join(tmpdir(), 'pupitre-serve-'));
    mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
    writeFileSync(rendererIndex(root), '<!doctype html>');
    let builds = 0;
    expect(ensureRenderer({ root, build: () => ((builds += 1), true), log: () => undefined })).toBe(true);
    expect(builds).toBe(0);

    const empty = mkdtempSync(join(tmpdir(), 'pupitre-serve-'));
    const messages: string[] = [];
    expect(ensureRenderer({ root: empty, build: () => false, log: (m: string) => messages.push(m) })).toBe(false);
    expect(messages.join('\n')).toContain('npm run build:renderer');
  });
});
