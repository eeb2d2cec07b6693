/**
 * Issue 14, point 4: a crash in the middle of a restore loses nothing. A child process restores a
 * backup and is killed with SIGKILL right after a step of the swap (journal written, base in
 * place set aside, restored base moved in); the next opening of the data directory — the host, or
 * any CLI command — finds the journal and:
 * - before the swap: undoes the restore, the base from before is back, whole, with its key;
 * - after the swap: finishes it (key, marker), the restored base opens, the one from before is kept aside.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestHost } from '../../../fixtures/testing/host';
import { projectRoot } from '../../../fixtures/testing/tier';
import type { RestoreStep } from '../../platform/db';
import { migrations } from '../migrations';
import { backupWithCli, birthNamesIn, createPatientBorn1975, usedInstallation } from '../../../fixtures/testing/restore/installation';
import { main } from './main';

const quiet = { out: () => undefined, err: () => undefined };

const installation = (name: string, birthNames: string[]) => usedInstallation(`restore-crash-${name}`, birthNames);

/** Runs the restore in a child process killed with SIGKILL right after `killAt`. */
async function restoreKilledAfter(killAt: RestoreStep, options: { dataDir: string; backupPath: string; keyHex: string; currentKeyHex: string }): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'fixtures/testing/restore/crash-child.ts'), JSON.stringify({ ...options, installKeyFile: options.keyHex !== options.currentKeyHex, supportedVersion: migrations.length, killAt })],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  expect(signal, out).toBe('SIGKILL');
  expect(out).not.toContain('finished');
  // The crash left its journal: what follows is the recovery, not a clean end.
  expect(existsSync(join(options.dataDir, 'pupitre.db.restauration.json'))).toBe(true);
}

/** Nothing of the restore is left behind: no journal, no temporary copy or key. */
function leftovers(dataDir: string): string[] {
  return readdirSync(dataDir).filter((name) => name === 'pupitre.db.restauration.json' || (name.startsWith('.') && name.includes('restauration')));
}

const setAside = (dataDir: string) => readdirSync(dataDir).filter((name) => /^pupitre\.db\.avant-restauration-[^.]+$/.test(name));

describe('a restore killed mid-way', () => {
  it.each(['journal-written', 'set-aside'] as const)('after « %s » is undone at the next start: the base from before is back, whole', { timeout: 60_000 }, async (killAt) => {
    const { dataDir, keyHex } = await installation(killAt, ['AVANT']);
    const backupPath = await backupWithCli(dataDir);
    const host = await createTestHost({ dataDir, keyHex });
    await createPatientBorn1975(host, 'APRES');
    await host.close();

    await restoreKilledAfter(killAt, { dataDir, backupPath, keyHex, currentKeyHex: keyHex });
    if (killAt === 'set-aside') expect(existsSync(join(dataDir, 'pupitre.db'))).toBe(false);

    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['APRES', 'AVANT']);
    expect(leftovers(dataDir)).toEqual([]);
    expect(setAside(dataDir)).toEqual([]);
    // The installation is sound: the same restore, done again, goes through.
    expect(await main(['restore', backupPath, '--yes', '--data-dir', dataDir], quiet)).toBe(0);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['AVANT']);
  });

  it('after the swap is finished at the next start: the restored base opens, the one from before is kept aside', { timeout: 60_000 }, async () => {
    const { dataDir, keyHex } = await installation('swapped', ['AVANT']);
    const backupPath = await backupWithCli(dataDir);
    const host = await createTestHost({ dataDir, keyHex });
    await createPatientBorn1975(host, 'APRES');
    await host.close();

    await restoreKilledAfter('swapped', { dataDir, backupPath, keyHex, currentKeyHex: keyHex });

    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['AVANT']);
    expect(leftovers(dataDir)).toEqual([]);
    const [aside] = setAside(dataDir);
    expect(aside).toBeDefined();
    expect(await birthNamesIn(mkCopy(dataDir, aside ?? ''), keyHex)).toEqual(['APRES', 'AVANT']);
  });

  it('while taking another installation’s key: undone, the key in place stays; finished, the backup’s key is installed', { timeout: 90_000 }, async () => {
    const other = await installation('other', ['AUTRECABINET']);
    const backupPath = await backupWithCli(other.dataDir);

    const undone = await installation('key-undone', ['ICI']);
    await restoreKilledAfter('set-aside', { dataDir: undone.dataDir, backupPath, keyHex: other.keyHex, currentKeyHex: undone.keyHex });
    // Any CLI command finishes or undoes it before reading the key.
    expect(await main(['backup', 'list', '--data-dir', undone.dataDir], quiet)).toBe(0);
    expect(readFileSync(join(undone.dataDir, 'db.key'), 'utf8').trim()).toBe(undone.keyHex);
    expect(leftovers(undone.dataDir)).toEqual([]);
    expect(await birthNamesIn(undone.dataDir, undone.keyHex)).toEqual(['ICI']);

    const finished = await installation('key-finished', ['ICI']);
    await restoreKilledAfter('swapped', { dataDir: finished.dataDir, backupPath, keyHex: other.keyHex, currentKeyHex: finished.keyHex });
    expect(await main(['backup', 'list', '--data-dir', finished.dataDir], quiet)).toBe(0);
    expect(readFileSync(join(finished.dataDir, 'db.key'), 'utf8').trim()).toBe(other.keyHex);
    // The key of the base set aside is kept beside it: that base stays readable.
    expect(readdirSync(finished.dataDir).filter((n) => n.startsWith('db.key.avant-restauration-')).map((n) => readFileSync(join(finished.dataDir, n), 'utf8').trim())).toEqual([finished.keyHex]);
    expect(leftovers(finished.dataDir)).toEqual([]);
    expect(await birthNamesIn(finished.dataDir, other.keyHex)).toEqual(['AUTRECABINET']);
  });
});

/** A data directory holding a copy of the base set aside, to open it. */
function mkCopy(dataDir: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-restore-aside-'));
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(join(dataDir, `${name}${suffix}`))) writeFileSync(join(dir, `pupitre.db${suffix}`), readFileSync(join(dataDir, `${name}${suffix}`)));
  }
  return dir;
}
