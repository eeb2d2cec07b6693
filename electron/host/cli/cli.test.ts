import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-'));

  it('prints help and exits 0 without a command, 2 with an unknown one', async () => {
    const a = capture();
    expect(await main([], a.io)).toBe(0);
    expect(a.out.join('\n')).toContain('serve');
    const b = capture();
    expect(await main(['frobnicate'], b.io)).toBe(2);
  });

  it('gets and sets settings as JSON in a fresh data directory', async () => {
    const get = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], get.io)).toBe(0);
    const settings = JSON.parse(get.out.join('')) as { environment: string; lps: { installationId: string } };
    expect(settings.environment).toBe('demo');

    const set = capture();
    expect(await main(['settings', 'set', 'environment', 'test', '--json', '--data-dir', dataDir], set.io)).toBe(0);
    // Applied at the next start: a desk running now stays in démo (its simulators are wired).
    expect(JSON.parse(set.out.join(''))).toMatchObject({ environment: 'demo', pendingEnvironment: 'test', lps: { installationId: settings.lps.installationId } });
    const next = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], next.io)).toBe(0);
    expect(JSON.parse(next.out.join(''))).toMatchObject({ environment: 'test', pendingEnvironment: null });
  });

  it('reports a refused value with its stable code and exit 1', async () => {
    const bad = capture();
    expect(await main(['settings', 'set', 'endpoints.insi', 'http://x', '--json', '--data-dir', dataDir], bad.io)).toBe(1);
    expect(JSON.parse(bad.out.join(''))).toMatchObject({ error: { code: 'SETTINGS_HTTPS_REQUIRED' } });
  });

  it('runs the doctor with one entry per check', async () => {
    const doctor = capture();
    await main(['doctor', '--json', '--data-dir', dataDir], doctor.io);
    const report = JSON.parse(doctor.out.join('')) as { checks: Array<{ id: string; status: string }> };
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['data-dir', 'database', 'environment', 'pcscd', 'pkcs11', 'renderer']));
    expect(report.checks.find((c) => c.id === 'data-dir')?.status).toBe('ok');
  });
});

describe('pupitre settings set for a security-sensitive setting', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-sensitive-'));

  it('says what the change allows and needs --yes', async () => {
    const refused = capture();
    expect(await main(['settings', 'set', 'pkcs11Module', '/opt/cps/libcps3_pkcs11_lux.so', '--data-dir', dataDir], refused.io)).toBe(2);
    expect(refused.err.join('\n')).toMatch(/bibliothèque[\s\S]*--yes/);
    const get = capture();
    await main(['settings', 'get', '--json', '--data-dir', dataDir], get.io);
    expect((JSON.parse(get.out.join('')) as { pkcs11Module: string }).pkcs11Module).not.toBe('/opt/cps/libcps3_pkcs11_lux.so');

    const confirmed = capture();
    expect(await main(['settings', 'set', 'pkcs11Module', '/opt/cps/libcps3_pkcs11_lux.so', '--yes', '--json', '--data-dir', dataDir], confirmed.io)).toBe(0);
    expect(JSON.parse(confirmed.out.join(''))).toMatchObject({ pkcs11Module: '/opt/cps/libcps3_pkcs11_lux.so' });
  });
});
