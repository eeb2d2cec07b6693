/**
 * Where the bytes of a document waiting to be sent are kept: a sealed file beside the database
 * (platform/db/sealed-files.ts) when the service has a folder for them, else a blob in the database
 * (and for documents queued before the files existed). Encrypted at rest either way.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isAppError } from '../../../contract/errors';
import { createSealedFileStore, type Db } from '../../../platform/db';
import { DmpError } from '../client';
import type { OutgoingContentRef } from '../store';
import type { DmpContext } from './context';

/** What `store.insertOutgoing` records: the file is written and flushed before the row commits. */
export function sealOutgoingContent(ctx: DmpContext, uniqueId: string, content: Buffer): { kind: 'file'; file: string; key: Buffer; size: number } | { kind: 'blob'; content: Buffer } {
  if (ctx.contents === null) return { kind: 'blob', content };
  const ref = ctx.contents.write(content, uniqueId);
  return { kind: 'file', file: ref.file, key: ref.key, size: content.length };
}

/** Removes a sealed file no row will name (the document was already queued). */
export function discardOutgoingContent(ctx: DmpContext, sealed: ReturnType<typeof sealOutgoingContent>): void {
  if (sealed.kind === 'file') ctx.contents?.remove(sealed.file);
}

/** The document's bytes; DMP_CONTENT_UNREADABLE (not retried) when its file is missing or altered. */
export function readOutgoingContent(ctx: DmpContext, uniqueId: string, ref: OutgoingContentRef): Buffer {
  if (ref.kind === 'blob') return ref.content;
  try {
    if (ctx.contents === null) throw new DmpError('DMP_CONTENT_UNREADABLE', false, false, { reason: 'no-folder' });
    const content = ctx.contents.read({ file: ref.file, key: ref.key }, uniqueId);
    if (content.length !== ref.size) throw new DmpError('DMP_CONTENT_UNREADABLE', false, false, { reason: 'size' });
    return content;
  } catch (error) {
    if (isAppError(error) && error.code === 'SEALED_FILE_UNREADABLE') throw new DmpError('DMP_CONTENT_UNREADABLE', false, false, { reason: error.details?.reason ?? null }, { cause: error });
    throw error;
  }
}

/**
 * At start: removes the sealed files no row names, left by a crash between writing a file and
 * committing its row. Only files older than an hour: another process on the same data folder
 * (`pupitre queue sync` beside the desk) may be between the two right now.
 */
export function sweepOutgoingContent(ctx: DmpContext, now: number): number {
  if (ctx.contents === null) return 0;
  return ctx.contents.sweep(ctx.store.contentFiles(), now - 3_600_000);
}

/** The folder of sealed files, under the data folder (host wiring gives the same path to the service and to backups). */
export const DMP_CONTENT_FOLDER = 'dmp-envois';

/**
 * Puts the documents kept in sealed files into a backup copy of the database (`copy`), as the
 * blobs documents had before files existed — which the sending path still reads: a restored
 * backup, here or on another machine, sends what was waiting without the files of `folder`
 * (issue 14: nothing lost). A file missing or altered is left as it is in the copy (the document
 * will say « illisible » as it would here). Returns how many documents were put in. Yields to the
 * event loop after each document: a backup runs while the desk works.
 */
export async function inlineOutgoingFiles(copy: Db, folder: string): Promise<number> {
  const rows = copy.prepare<[], { unique_id: string; file: string; file_key: Buffer; size: number }>('SELECT unique_id, file, file_key, size FROM dmp_outgoing_file').all();
  if (rows.length === 0) return 0;
  const files = createSealedFileStore(folder);
  const insert = copy.prepare<[string, Buffer]>('INSERT OR REPLACE INTO dmp_outgoing_content (unique_id, content) VALUES (?, ?)');
  const forget = copy.prepare<[string]>('DELETE FROM dmp_outgoing_file WHERE unique_id = ?');
  let inlined = 0;
  for (const row of rows) {
    let content: Buffer;
    try {
      content = files.read({ file: row.file, key: row.file_key }, row.unique_id);
    } catch {
      continue;
    }
    if (content.length !== row.size) continue;
    // One document per transaction: a 1.3 MB blob at a time, never the whole queue in memory.
    copy.transaction(() => {
      insert.run(row.unique_id, content);
      forget.run(row.unique_id);
    })();
    inlined += 1;
    await yieldToLoop();
  }
  return inlined;
}
