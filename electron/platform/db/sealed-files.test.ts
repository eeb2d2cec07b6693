import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract';
import { createSealedFileStore, type SealedFileStore } from './sealed-files';

function reasonOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? `${error.code}:${String(error.details?.reason)}` : error;
  }
  return 'no error';
}

describe('sealed files beside the database', () => {
  let folder: string;
  let store: SealedFileStore;
  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), 'pupitre-sealed-')), 'envois');
    store = createSealedFileStore(folder);
  });
  afterEach(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

  it('reads files of every size one after another, each whole and its own (the read buffer is reused, never what a read returned)', () => {
    const sizes = [0, 1, 70_000, 1_400_000, 300_000, 5 * 1024 * 1024, 2_000_000, 10];
    const documents = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    const refs = documents.map((data, i) => store.write(data, `doc-${i}`));
    const read = refs.map((ref, i) => store.read(ref, `doc-${i}`));
    read.forEach((content, i) => expect(content.equals(documents[i] as Buffer)).toBe(true));
    // A short or altered file after a long one: refused, not completed with the previous bytes.
    const raw = readFileSync(join(folder, (refs[2] as { file: string }).file));
    writeFileSync(join(folder, (refs[2] as { file: string }).file), raw.subarray(0, raw.length - 100));
    expect(store.read(refs[3] as { file: string; key: Buffer }, 'doc-3').equals(documents[3] as Buffer)).toBe(true);
    expect(reasonOf(() => store.read(refs[2] as { file: string; key: Buffer }, 'doc-2'))).toBe('SEALED_FILE_UNREADABLE:authentication');
  });

  it('writes an encrypted file, readable with its key and row only, owner-only', () => {
    const data = Buffer.from('%PDF-1.4 compte rendu de Marie DUPONT '.repeat(1000));
    const ref = store.write(data, 'doc-1');
    const raw = readFileSync(join(folder, ref.file));
    expect(raw.includes(Buffer.from('DUPONT'))).toBe(false);
    expect(raw.length).toBe(data.length + 8 + 12 + 16);
    expect(store.read(ref, 'doc-1').equals(data)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(join(folder, ref.file)).mode & 0o077).toBe(0);
    // Another row's id, another key, a changed byte, a missing file: refused, never garbage.
    expect(reasonOf(() => store.read(ref, 'doc-2'))).toBe('SEALED_FILE_UNREADABLE:authentication');
    expect(reasonOf(() => store.read({ ...ref, key: Buffer.alloc(32, 1) }, 'doc-1'))).toBe('SEALED_FILE_UNREADABLE:authentication');
    raw[100] = raw[100]! ^ 0xff;
    writeFileSync(join(folder, ref.file), raw);
    expect(reasonOf(() => store.read(ref, 'doc-1'))).toBe('SEALED_FILE_UNREADABLE:authentication');
    store.remove(ref.file);
    expect(reasonOf(() => store.read(ref, 'doc-1'))).toBe('SEALED_FILE_UNREADABLE:missing');
    expect(reasonOf(() => store.read({ ...ref, file: '../pupitre.db' }, 'doc-1'))).toBe('SEALED_FILE_UNREADABLE:name');
  });

  it('seals a document of several write pieces (not a multiple of them) as one authenticated whole', () => {
    const data = Buffer.alloc(700_001);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
    const ref = store.write(data, 'doc-big');
    expect(statSync(join(folder, ref.file)).size).toBe(data.length + 8 + 12 + 16);
    expect(store.read(ref, 'doc-big').equals(data)).toBe(true);
    const raw = readFileSync(join(folder, ref.file));
    raw[600_000] = raw[600_000]! ^ 1;
    writeFileSync(join(folder, ref.file), raw);
    expect(reasonOf(() => store.read(ref, 'doc-big'))).toBe('SEALED_FILE_UNREADABLE:authentication');
  });

  it('sweeps only old files no row names', () => {
    const named = store.write(Buffer.from('gardé'), 'a');
    const orphan = store.write(Buffer.from('orphelin'), 'b');
    writeFileSync(join(folder, 'autre-chose.txt'), 'pas à nous');
    expect(store.sweep(new Set([named.file]), Date.now() - 60_000)).toBe(0);
    expect(store.sweep(new Set([named.file]), Date.now() + 60_000)).toBe(1);
    expect(readdirSync(folder).sort()).toEqual([named.file, 'autre-chose.txt'].sort());
    void orphan;
  });
});
