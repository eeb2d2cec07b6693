import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { createMemoryLogger, REDACTED } from '.';

const logger = () => createMemoryLogger(createManualClock());

describe('log redaction', () => {
  it('masks NIR and INS numbers in free text, with or without spaces, including Corsica', () => {
    const log = logger();
    log.info('recherche INSi pour 1 80 01 75 123 456 78 et 180017512345678 puis 2 55 08 2A 004 012 34');
    const line = log.lines[0] ?? '';
    expect(line).not.toMatch(/75 123 456|180017512345678|2A 004/);
    expect(line.match(new RegExp(REDACTED.replace(/[[\]]/g, '\\$&'), 'g'))?.length).toBe(3);
  });

  it('masks birth dates in French, ISO and compact forms but keeps timestamps of the log itself', () => {
    const log = logger();
    log.info('né le 14/07/1982, aussi 1982-07-14 et 19820714');
    const record = JSON.parse(log.lines[0] ?? '{}') as { at: string; event: string };
    expect(record.event).not.toMatch(/1982/);
    expect(record.at).toMatch(/^2026-01-15T09:00:00/);
  });

  it('masks values under identity keys whatever they contain', () => {
    const log = logger();
    log.warn('insi.result', { nom: 'DE VINCI', prenoms: ['LEONARDO'], birthDate: '1452-04-15', nir: '1520499123456', count: 2, cause: { firstName: 'PIERRE-ALAIN' } });
    const line = log.lines[0] ?? '';
    expect(line).not.toMatch(/VINCI|LEONARDO|1452|PIERRE-ALAIN|1520499123456/);
    expect(line).toContain('"count":2');
  });

  it('masks remembered names wherever they appear, case-insensitively', () => {
    const log = logger();
    log.redactor.remember('Toussaint', 'Adrtrois');
    log.error('échec pour ADRTROIS toussaint', { message: 'patient Adrtrois introuvable' });
    expect(log.lines[0]).not.toMatch(/adrtrois|toussaint/i);
  });

  it('keeps error messages but redacts what they carry', () => {
    const log = logger();
    log.error('card.read_failed', { error: new Error('NIR 2 55 08 2A 004 012 34 invalide') });
    expect(log.lines[0]).toContain('invalide');
    expect(log.lines[0]).not.toContain('004 012');
  });

  it('never lets a generated NIR through (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1', '2'),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('75', '2A', '2B', '13', '99'),
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 1, max: 999 }),
        fc.boolean(),
        (sex, yy, mm, dep, commune, order, spaced) => {
          const parts = [sex, String(yy).padStart(2, '0'), String(mm).padStart(2, '0'), dep, String(commune).padStart(3, '0'), String(order).padStart(3, '0')];
          const nir = parts.join(spaced ? ' ' : '');
          const log = logger();
          log.info(`patient ${nir} reçu`);
          return !(log.lines[0] ?? '').includes(nir);
        },
      ),
    );
  });
});
