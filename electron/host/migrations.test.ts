import { describe, expect, it } from 'vitest';
import { migrations } from './migrations';

describe('the global migration list', () => {
  it('keeps the steps of release 0.1.0 first, in their shipped order', () => {
    // A database written by 0.1.0 is at user_version 6: these six steps must never move.
    expect(migrations.slice(0, 6).map((step) => step.name)).toEqual([
      'settings: key/value settings',
      'audit: append-only audit trail with hash chain',
      'patients: identities, identity status history, imports, FTS5 search index',
      'outbox: durable jobs, attempt history and endpoint health',
      'dmp: patient state, document list, outgoing documents',
      'insi: worklists and their items',
    ]);
  });

  it('numbers the steps 1..n with unique names', () => {
    expect(migrations.map((step) => step.version)).toEqual(migrations.map((_, index) => index + 1));
    expect(new Set(migrations.map((step) => step.name)).size).toBe(migrations.length);
  });
});
