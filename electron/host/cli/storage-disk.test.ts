/**
 * Issue 14, point 3, on real file systems: a full disk at first start leaves no empty key behind
 * and the next start works once space is freed; a read-only file system and a folder the user
 * may not write each get their own code and message — never « clé invalide ».
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { asUserWithoutWriteAccess, canMountScratch, inScratchMount } from '../../../fixtures/testing/disk';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';

const errorCode = (stdout: string): string | undefined => (JSON.parse(stdout) as { error?: { code: string } }).error?.code;

describeWithPrerequisites('unit', canMountScratch, 'storage on a real disk', () => {
  it('a full disk at first start is reported as such, leaves no key file, and the next start works', { timeout: 240_000 }, async () => {
    const results = await inScratchMount(
      8192,
      [
        'mkdir "$SCRATCH/data"',
        // Fill every free block of the file system.
        'dd if=/dev/zero of="$SCRATCH/fill" bs=4096 2>/dev/null || true',
        'run full $PUPITRE settings get --json --data-dir "$SCRATCH/data"',
        'ls -A "$SCRATCH/data" > "$RESULTS/after-full.listing"',
        'run listing cat "$RESULTS/after-full.listing"',
        'rm "$SCRATCH/fill"',
        'run freed $PUPITRE settings get --json --data-dir "$SCRATCH/data"',
        'run key cat "$SCRATCH/data/db.key"',
      ].join('\n'),
    );
    expect(results.full?.exit).toBe(1);
    expect(errorCode(results.full?.stdout ?? '{}')).toBe('DB_DISK_FULL');
    expect(results.full?.stdout).toMatch(/disque est plein/);
    // Nothing half-written: no key file at all (in particular no empty one), no temporary file.
    expect(results.listing?.stdout.split('\n').filter(Boolean)).toEqual([]);
    expect(results.freed?.exit).toBe(0);
    expect(results.key?.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a disk full while the base grows is reported as a full disk, not as damage', { timeout: 240_000 }, async () => {
    const results = await inScratchMount(
      4096,
      [
        'mkdir "$SCRATCH/data"',
        'run created $PUPITRE settings get --json --data-dir "$SCRATCH/data"',
        'dd if=/dev/zero of="$SCRATCH/fill" bs=4096 2>/dev/null || true',
        'run full $PUPITRE settings set lps.cndaAuthorisation CNDA-0000000000000000000000 --json --data-dir "$SCRATCH/data"',
      ].join('\n'),
    );
    expect(results.created?.exit).toBe(0);
    expect(results.full?.exit).toBe(1);
    expect(errorCode(results.full?.stdout ?? '{}')).toBe('DB_DISK_FULL');
  });

  it('a read-only file system has its own code, for a new and for an existing installation', { timeout: 240_000 }, async () => {
    // Room for the first start's WAL (demo data of every service) and its checkpoint at close: a
    // base left with its WAL and shared-memory files would be readable on a read-only disk.
    const results = await inScratchMount(
      32768,
      [
        'mkdir "$SCRATCH/new" "$SCRATCH/used"',
        'run created $PUPITRE settings get --json --data-dir "$SCRATCH/used"',
        'mount -o remount,ro "$SCRATCH"',
        'run new $PUPITRE settings get --json --data-dir "$SCRATCH/new"',
        // Reading an existing base on a read-only disk may work (SQLite reads a WAL base without
        // its shared-memory file); writing to it must say why it cannot.
        'run used $PUPITRE settings set lps.cndaAuthorisation CNDA-0000000000000000000000 --json --data-dir "$SCRATCH/used"',
      ].join('\n'),
    );
    expect(results.created?.exit).toBe(0);
    for (const name of ['new', 'used'] as const) {
      expect(results[name]?.exit, name).toBe(1);
      expect(errorCode(results[name]?.stdout ?? '{}'), name).toBe('DB_READ_ONLY');
      expect(results[name]?.stdout, name).toMatch(/lecture seule/);
    }
  });

  it('a folder the user may not write has its own code', { timeout: 240_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pupitre-perm-'));
    const dataDir = join(parent, 'data');
    const result = await asUserWithoutWriteAccess(dataDir, ['settings', 'get', '--json', '--data-dir', dataDir]);
    expect(result.exit, result.stderr).toBe(1);
    expect(errorCode(result.stdout)).toBe('DB_PERMISSION_DENIED');
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
