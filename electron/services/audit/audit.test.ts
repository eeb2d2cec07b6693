import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { AuditTrail, auditMigrations, recordAfterRollback } from '.';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, auditMigrations.map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  return { db, clock, audit: new AuditTrail(db, clock) };
}

describe('audit trail', () => {
  it('records who, when, which patient and what, newest first', () => {
    const { audit, clock } = setup();
    audit.write({ actor: 'CPS 899700123456', patientRef: 'pat-1', action: 'vitale.read', details: { beneficiaries: 2 } });
    clock.advance(60_000);
    audit.write({ actor: 'CPS 899700123456', patientRef: 'pat-2', action: 'insi.search', details: {} });
    const entries = audit.list({ limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['insi.search', 'vitale.read']);
    expect(entries[1]).toMatchObject({ actor: 'CPS 899700123456', patientRef: 'pat-1', at: '2026-01-15T09:00:00.000Z', details: { beneficiaries: 2 } });
    expect(audit.list({ limit: 10, patientRef: 'pat-2' })).toHaveLength(1);
  });

  it('refuses updates and deletes', () => {
    const { audit, db } = setup();
    audit.write({ actor: 'a', patientRef: null, action: 'x', details: {} });
    expect(() => db.prepare("UPDATE audit_log SET action = 'y'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('detects an entry altered behind its back', () => {
    const { audit, db } = setup();
    for (let i = 0; i < 5; i += 1) audit.write({ actor: 'a', patientRef: `p${i}`, action: 'read', details: { i } });
    expect(audit.verify()).toEqual({ ok: true, checked: 5, brokenAt: null });
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET patient_ref = 'other' WHERE id = 3");
    expect(audit.verify()).toEqual({ ok: false, checked: 2, brokenAt: 3 });
  });

  it('is written inside the caller transaction: a rollback removes the entry too', () => {
    const { audit, db } = setup();
    expect(() =>
      db.transaction(() => {
        audit.write({ actor: 'a', patientRef: null, action: 'x', details: {} });
        throw new Error('rollback');
      })(),
    ).toThrow('rollback');
    expect(audit.list({ limit: 5 })).toEqual([]);
  });

  it('after a rollback, records the exchanges alone, all or none, and swallows a second refusal (the caller rethrows the first)', () => {
    const { audit, db } = setup();
    const exchanges = [
      { actor: 'a', patientRef: 'p1', action: 'dmp.td02', details: {} },
      { actor: 'a', patientRef: 'p1', action: 'dmp.td31', details: { newCount: 0 } },
    ];
    recordAfterRollback(db, audit.write, exchanges);
    expect(audit.list({ limit: 10 }).map((e) => e.action)).toEqual(['dmp.td31', 'dmp.td02']);
    // The base now refuses the second entry: neither is kept, and nothing is thrown.
    db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON audit_log WHEN NEW.action = 'dmp.td31' BEGIN SELECT RAISE(ABORT, 'disque plein simulé'); END");
    expect(() => recordAfterRollback(db, audit.write, exchanges)).not.toThrow();
    expect(audit.list({ limit: 10 })).toHaveLength(2);
  });
});
