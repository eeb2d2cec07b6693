/** Two-step changes of sensitive settings, including the CPS code for a setting that protects a certificate. */
import { describe, expect, it } from 'vitest';
import type { SettingKey } from '../../contract';
import { SETTING_POLICIES, type SettingPolicy } from '../../contract/settings-policy';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import type { AuditInput } from '../audit';
import { SensitiveChanges, SettingsService, settingsMigrations } from '.';

function setup(policies: Record<SettingKey, SettingPolicy> = SETTING_POLICIES) {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, settingsMigrations.map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  const audit: AuditInput[] = [];
  const settings = new SettingsService(db, clock, { name: 'Pupitre', version: '9.9.9' }, (e) => audit.push(e));
  const pins: string[] = [];
  const changes = new SensitiveChanges({
    settings,
    clock,
    policies,
    verifyCpsPin: async (pin) => {
      pins.push(pin);
      return pin === '1234' ? { ok: true, triesLeft: 3 } : { ok: false, triesLeft: 2 };
    },
  });
  return { settings, changes, clock, audit, pins };
}

describe('sensitive setting changes', () => {
  it('validates at request time and writes nothing before the confirmation', async () => {
    const { settings, changes } = setup();
    expect(() => changes.request('endpoints.dmp', 'http://dmp.example', 'w1')).toThrow(expect.objectContaining({ code: 'SETTINGS_HTTPS_REQUIRED' }));
    const change = changes.request('endpoints.dmp', 'https://DMP.example/ws', 'w1');
    expect(change.value).toBe('https://dmp.example/ws');
    expect(settings.get().endpoints.dmp).not.toBe('https://dmp.example/ws');
    const { key, settings: after } = await changes.confirm(change.changeId, 'w1', { actor: 'poste', caller: 'desk' });
    expect(key).toBe('endpoints.dmp');
    expect(after.endpoints.dmp).toBe('https://dmp.example/ws');
  });

  it('expires after five minutes', async () => {
    const { changes, clock } = setup();
    const change = changes.request('pkcs11Module', '/opt/cps/lib.so', 'w1');
    clock.advance(5 * 60_000 + 1);
    await expect(changes.confirm(change.changeId, 'w1', { actor: 'poste', caller: 'desk' })).rejects.toMatchObject({ code: 'SETTINGS_CHANGE_EXPIRED' });
  });

  it('asks the CPS code for a setting that protects a certificate, and keeps the request after a wrong code', async () => {
    const policies = { ...SETTING_POLICIES, pkcs11Module: { sensitive: true, consequence: 'Certificat de structure remplacé.', cpsPin: true } };
    const { settings, changes, audit, pins } = setup(policies);
    const change = changes.request('pkcs11Module', '/opt/cps/lib.so', 'w1');
    expect(change.cpsPin).toBe(true);
    await expect(changes.confirm(change.changeId, 'w1', { actor: 'poste', caller: 'desk' })).rejects.toMatchObject({ code: 'SETTINGS_PIN_REQUIRED' });
    await expect(changes.confirm(change.changeId, 'w1', { pin: '0000', actor: 'poste', caller: 'desk' })).rejects.toMatchObject({
      code: 'SETTINGS_PIN_REJECTED',
      details: { triesLeft: 2 },
    });
    expect(settings.get().pkcs11Module).not.toBe('/opt/cps/lib.so');
    await changes.confirm(change.changeId, 'w1', { pin: '1234', actor: '899700123450', caller: 'desk' });
    expect(settings.get().pkcs11Module).toBe('/opt/cps/lib.so');
    expect(pins).toEqual(['0000', '1234']);
    expect(audit.at(-1)).toMatchObject({ actor: '899700123450', action: 'settings.set', details: { key: 'pkcs11Module', confirmed: true, pinVerified: true } });
  });

  it('classifies every setting, with a consequence for each sensitive one', () => {
    for (const [key, policy] of Object.entries(SETTING_POLICIES)) {
      if (policy.sensitive) expect(policy.consequence, key).toMatch(/\S{10}/);
    }
    expect(SETTING_POLICIES.pkcs11Module.sensitive).toBe(true);
    expect(SETTING_POLICIES.allowedOrigins.sensitive).toBe(true);
    expect(SETTING_POLICIES['endpoints.insi'].sensitive).toBe(true);
    expect(SETTING_POLICIES['endpoints.dmp'].sensitive).toBe(true);
  });
});
