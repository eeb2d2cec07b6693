import { describe, expect, it } from 'vitest';
import type { AppError, Settings } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import type { AuditInput } from '../audit';
import { documentTypes } from '../cda';
import { SettingsService, settingsMigrations } from '.';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, settingsMigrations.map((m, i) => ({ ...m, version: i + 1 })));
  const audit: AuditInput[] = [];
  const make = () => new SettingsService(db, createManualClock(), { name: 'Pupitre', version: '9.9.9' }, (e) => audit.push(e));
  return { db, audit, make };
}

/** The AppError a refused change throws (the test fails if it is accepted). */
function refusalOf(change: () => unknown): AppError {
  try {
    change();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('the change was accepted');
}

describe('settings', () => {
  it('starts in demo with an installation id that is generated once and kept', () => {
    const { make } = setup();
    const first = make().get();
    expect(first.environment).toBe('demo');
    expect(first.lps).toMatchObject({ name: 'Pupitre', version: '9.9.9', cndaAuthorisation: '' });
    expect(first.lps.installationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(make().get().lps.installationId).toBe(first.lps.installationId);
  });

  it('keeps endpoints per environment and audits each change', () => {
    const { make, audit } = setup();
    const settings = make();
    settings.set('environment', 'test', 'poste');
    settings.set('endpoints.insi', 'https://insi.qualif.example/ws', 'poste');
    expect(settings.get().endpoints.insi).toBe('https://insi.qualif.example/ws');
    settings.set('environment', 'production', 'poste');
    expect(settings.get().endpoints.insi).toMatch(/à configurer/);
    expect(audit.map((a) => a.details.key)).toEqual(['environment', 'endpoints.insi', 'environment']);
  });

  it('refuses a non-https endpoint saying HTTPS is required, and an unknown environment or a bad origin with SETTINGS_INVALID', () => {
    const { make } = setup();
    const settings = make();
    expect(() => settings.set('endpoints.dmp', 'http://dmp.example', 'poste')).toThrow(expect.objectContaining({ code: 'SETTINGS_HTTPS_REQUIRED', message: expect.stringContaining('HTTPS est obligatoire') }));
    expect(() => settings.set('endpoints.dmp', 'pas une url', 'poste')).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(() => settings.set('environment', 'staging', 'poste')).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(() => settings.set('allowedOrigins', ['https://a.example/path'], 'poste')).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(settings.get().environment).toBe('demo');
  });

  // Whole numbers within bounds; the CLI passes text; a refusal says the bounds in French.
  it.each([
    {
      what: 'done outbox jobs are kept 30 days by default, 7 to 3 650',
      key: 'outbox.retentionDays' as const,
      read: (s: Settings) => s.outbox.retentionDays,
      byDefault: 30,
      bad: [6, 3651, 30.5, 'trente', -1, null],
      code: 'SETTINGS_RETENTION_RANGE',
      message: 'La durée de conservation de l’historique des envois doit être un nombre entier de jours, de 7 à 3650 (30 par défaut).',
    },
    {
      what: 'the INSi worklist runs at 5 calls a second by default, 1 to 20',
      key: 'insi.worklistRequestsPerSecond' as const,
      read: (s: Settings) => s.insi.worklistRequestsPerSecond,
      byDefault: 5,
      bad: [0, 21, 2.5, 'deux', null],
      code: 'SETTINGS_INSI_RATE_RANGE',
      message: 'Le rythme de la liste de travail INSi doit être un nombre entier d’appels par seconde, de 1 à 20 (5 par défaut).',
    },
  ])('$what', ({ key, read, byDefault, bad, code, message }) => {
    const { make, audit } = setup();
    const settings = make();
    expect(read(settings.get())).toBe(byDefault);
    expect(read(settings.set(key, '7', 'poste'))).toBe(7);
    expect(audit.at(-1)).toMatchObject({ action: 'settings.set', details: { key } });
    for (const value of bad) {
      const error = refusalOf(() => settings.set(key, value, 'poste'));
      expect(error).toMatchObject({ code });
      expect(error.message).toBe(message);
    }
    expect(read(make().get())).toBe(7);
  });

  it('keeps the preferred DMP document types: codes of the DMP list, each once, 20 at most (the CLI passes them comma-separated)', () => {
    const { make } = setup();
    const settings = make();
    expect(settings.get().dmp.preferredTypeCodes).toEqual([]);
    expect(settings.set('dmp.preferredTypeCodes', '11488-4, ATTEST-HEBGT,11488-4', 'poste').dmp.preferredTypeCodes).toEqual(['11488-4', 'ATTEST-HEBGT']);
    const tooMany = documentTypes().slice(0, 21).map((t) => t.code);
    for (const bad of [['99999-9'], ['DOCPAT01'], tooMany, 'pas un code', 42]) {
      const error = refusalOf(() => settings.set('dmp.preferredTypeCodes', bad, 'poste'));
      expect(error).toMatchObject({ code: 'SETTINGS_DMP_TYPES_INVALID' });
      expect(error.message).toContain('20 au plus');
    }
    expect(settings.set('dmp.preferredTypeCodes', tooMany.slice(0, 20), 'poste').dmp.preferredTypeCodes).toHaveLength(20);
    expect(settings.set('dmp.preferredTypeCodes', [], 'poste').dmp.preferredTypeCodes).toEqual([]);
  });

  it('reports the environment the host pinned at its start, a different choice as pending, and the endpoints of the running one', () => {
    const { make } = setup();
    const settings = make();
    settings.set('endpoints.insi', 'https://insi.demo.invalid/', 'poste');
    settings.pinEnvironment('demo');
    expect(settings.set('environment', 'production', 'poste')).toMatchObject({ environment: 'demo', pendingEnvironment: 'production', endpoints: { insi: 'https://insi.demo.invalid/' } });
    // An endpoint typed now belongs to the running environment.
    settings.set('endpoints.insi', 'https://insi.autre.invalid/', 'poste');
    expect(settings.get().endpoints.insi).toBe('https://insi.autre.invalid/');
    expect(settings.set('environment', 'demo', 'poste').pendingEnvironment).toBeNull();
    // A process that wires nothing (the CLI) sees what is stored.
    settings.set('environment', 'test', 'poste');
    expect(make().get()).toMatchObject({ environment: 'test', pendingEnvironment: null });
  });
});
