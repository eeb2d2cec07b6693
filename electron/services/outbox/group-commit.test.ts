import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../platform/db';
import { GroupCommit } from './group-commit';

function table() {
  const db = openDatabase({ path: ':memory:' });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const values = (): string[] => (db.prepare('SELECT v FROM t ORDER BY id').all() as Array<{ v: string }>).map((row) => row.v);
  return { db, insert, values };
}

describe('GroupCommit', () => {
  it('commits the writes of one turn together, runs the batch hook inside the transaction and its follow-up after the commit', async () => {
    const { db, insert, values } = table();
    const seen: string[] = [];
    const group = new GroupCommit(db, {
      withBatch: () => {
        seen.push(`inside: ${values().join(',')} in transaction ${String(db.inTransaction)}`);
        return () => seen.push(`after: in transaction ${String(db.inTransaction)}`);
      },
    });
    const results = await Promise.all(['a', 'b', 'c'].map((v) => group.commit(() => Number(insert.run(v).lastInsertRowid))));
    expect(results).toEqual([1, 2, 3]);
    expect(seen).toEqual(['inside: a,b,c in transaction true', 'after: in transaction false']);
  });

  it('retries each write alone when the batch fails: the bad one is refused, the others committed once', async () => {
    const { db, insert, values } = table();
    let retried = 0;
    const group = new GroupCommit(db, { afterRetries: () => (retried += 1) });
    const outcomes = await Promise.allSettled(['a', 'a', 'b'].map((v) => group.commit(() => insert.run(v).changes)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(values()).toEqual(['a', 'b']);
    expect(retried).toBe(1);
  });

  it('commits a lone write at once, without waiting for a turn of the event loop', () => {
    const { db, insert, values } = table();
    const group = new GroupCommit(db);
    void group.commit(() => insert.run('x').changes, true);
    expect(values()).toEqual(['x']);
    void group.commit(() => insert.run('y').changes);
    expect(values()).toEqual(['x']);
  });
});
