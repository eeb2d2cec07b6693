/**
 * `pupitre apcv` and `pupitre adri` for support: configuration and reachability, a scanned payload
 * checked without any network call, and a patient's last rights with their date.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_APPS, qrPayloadOf } from '../../../fixtures/sim/apcv';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre apcv / adri', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-apcv-cli-'));

  it('recognises an appli carte Vitale QR code without sending it anywhere', async () => {
    const yes = capture();
    expect(await main(['apcv', 'check', qrPayloadOf(DEMO_APPS[0]!), '--json'], yes.io)).toBe(0);
    expect(JSON.parse(yes.out.join(''))).toMatchObject({ recognised: true, kind: 'apcv', shape: 'modelled-demo' });
    const no = capture();
    expect(await main(['apcv', 'check', 'https://exemple.fr/ordonnance'], no.io)).toBe(1);
    expect(no.out.join('')).toMatch(/Pas un QR code de l’appli carte Vitale/);
  });

  it('shows the service, its reachability and the public session limits', async () => {
    const cap = capture();
    expect(await main(['apcv', 'status', '--json', '--data-dir', dataDir], cap.io)).toBe(0);
    expect(JSON.parse(cap.out.join(''))).toMatchObject({ mode: 'simulator', reachable: 'unknown', limits: { contextLifetimeMs: 1_200_000, invoicesPerContext: 1 } });
    const text = capture();
    expect(await main(['apcv', 'status', '--data-dir', dataDir], text.io)).toBe(0);
    expect(text.out.join('')).toMatch(/session : 20 min, 1 facture\(s\) par session/);
  });

  it('says when a patient has no known rights', async () => {
    const cap = capture();
    expect(await main(['adri', 'rights', 'inconnu', '--data-dir', dataDir], cap.io)).toBe(1);
    expect(cap.out.join('')).toMatch(/Aucun droit connu/);
  });
});
