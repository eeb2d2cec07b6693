/**
 * Large documents kept beside the database, encrypted (README « Design »: documents waiting to be
 * sent). SQLCipher writes a megabyte blob twice (WAL, then checkpoint) through 4 KiB pages: ~30 ms
 * per 1.3 MB document on this kind of machine, against ~5 ms for one encrypted file (measured in
 * bench/dmp.bench.ts). Each file is sealed with AES-256-GCM (NIST SP 800-38D) under its own random
 * key, which stays in the encrypted database with the row that names the file: a file alone is
 * unreadable, and deleting the row destroys its key. The row's identifier is the additional
 * authenticated data, so a file cannot be swapped for another one.
 *
 * Durability: `write` returns once the file and its folder entry are flushed (fsync). The caller
 * commits the row naming it afterwards, so a committed row always has its file; a crash between the
 * two leaves a file no row names, which `sweep` removes at the next start.
 *
 * File layout: "PUPSEAL1" (8 bytes), IV (12 bytes), ciphertext, GCM tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract';
import { fsyncDirectory } from './files';

const MAGIC = Buffer.from('PUPSEAL1', 'latin1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Plaintext encrypted and written at a time. */
const WRITE_CHUNK = 256 * 1024;
const NAME = /^[0-9a-f-]{36}\.sealed$/;
/**
 * Files up to this size are read into one buffer the store keeps for its next read: a document
 * sent after another does not allocate, fault in and leave to the collector a fresh megabyte of
 * ciphertext each time (issue 15, bulk sending). It only ever holds ciphertext.
 */
const REUSED_READ_BYTES = 4 * 1024 * 1024;

/** What the database row keeps to find and open a sealed file. */
export interface SealedFileRef {
  file: string;
  key: Buffer;
}

export interface SealedFileStore {
  readonly folder: string;
  /** Encrypts `data` bound to `aad` into a new file, flushed before returning. */
  write(data: Uint8Array, aad: string): SealedFileRef;
  /** The plaintext; SEALED_FILE_UNREADABLE when the file is missing, altered or not this row's. */
  read(ref: SealedFileRef, aad: string): Buffer;
  remove(file: string): void;
  /**
   * Removes the files no row names (left by a crash between `write` and the commit) last written
   * before `olderThan` (epoch ms: a file being written by another process is left alone); returns how many.
   */
  sweep(named: ReadonlySet<string>, olderThan: number): number;
}

export function createSealedFileStore(folder: string): SealedFileStore {
  let folderReady = false;
  let readBuffer: Buffer | null = null;
  /** The whole file, in the kept buffer when it fits (valid until the next read). */
  const readWhole = (path: string): Buffer => {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      let target: Buffer;
      if (size > REUSED_READ_BYTES) target = Buffer.allocUnsafe(size);
      else {
        if (readBuffer === null || readBuffer.length < size) readBuffer = Buffer.allocUnsafe(Math.min(REUSED_READ_BYTES, Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(size)))));
        target = readBuffer;
      }
      let length = 0;
      while (length < size) {
        const read = readSync(fd, target, length, size - length, length);
        if (read === 0) break;
        length += read;
      }
      return target.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  };
  const ensureFolder = (): void => {
    if (folderReady) return;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    folderReady = true;
  };
  return {
    folder,
    write(data, aad) {
      ensureFolder();
      const key = randomBytes(32);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const file = `${randomUUID()}.sealed`;
      const fd = openSync(join(folder, file), 'wx', 0o600);
      const put = (part: Uint8Array): void => {
        let offset = 0;
        while (offset < part.byteLength) offset += writeSync(fd, part, offset, part.byteLength - offset);
      };
      try {
        put(MAGIC);
        put(iv);
        // Encrypted and written a piece at a time: no second copy of a megabyte document in memory.
        for (let offset = 0; offset < data.byteLength; offset += WRITE_CHUNK) put(cipher.update(data.subarray(offset, offset + WRITE_CHUNK)));
        put(cipher.final());
        put(cipher.getAuthTag());
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // The file is new, so its folder entry must be flushed too before a row names it: POSIX
      // fsync(2) does not make a new file's directory entry durable ("an explicit fsync() on a file
      // descriptor for the directory is also needed"). ext4 in its default data=ordered mode happens
      // to commit the entry with the file's journal transaction, other file systems need not; kept,
      // it costs ~0.4 ms a document (bench/dmp.bench.ts profile). It cannot be shared between
      // documents: `send` returns with its document durable, one file at a time.
      fsyncDirectory(folder);
      return { file, key };
    },
    read(ref, aad) {
      if (!NAME.test(ref.file)) throw new AppError('SEALED_FILE_UNREADABLE', { reason: 'name' });
      let bytes: Buffer;
      try {
        bytes = readWhole(join(folder, ref.file));
      } catch (cause) {
        throw new AppError('SEALED_FILE_UNREADABLE', { reason: 'missing' }, { cause });
      }
      if (bytes.length < MAGIC.length + IV_BYTES + TAG_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new AppError('SEALED_FILE_UNREADABLE', { reason: 'format' });
      }
      const iv = bytes.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', ref.key, iv);
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        const head = decipher.update(bytes.subarray(MAGIC.length + IV_BYTES, bytes.length - TAG_BYTES));
        const tail = decipher.final();
        return tail.length === 0 ? head : Buffer.concat([head, tail]);
      } catch (cause) {
        throw new AppError('SEALED_FILE_UNREADABLE', { reason: 'authentication' }, { cause });
      }
    },
    remove(file) {
      if (!NAME.test(file)) return;
      rmSync(join(folder, file), { force: true });
    },
    sweep(named, olderThan) {
      let names: string[];
      try {
        names = readdirSync(folder);
      } catch {
        return 0;
      }
      let removed = 0;
      for (const name of names) {
        if (!NAME.test(name) || named.has(name)) continue;
        try {
          if (statSync(join(folder, name)).mtimeMs >= olderThan) continue;
          rmSync(join(folder, name), { force: true });
          removed += 1;
        } catch {
          // gone meanwhile
        }
      }
      return removed;
    },
  };
}
