/**
 * The composed host hands scanned payloads to the domains (TEAM.md interface agreement): the
 * pipeline classifies with every domain's recogniser, and a domain takes the bytes by scan id,
 * once, only of its kind and only when they came through faithfully.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_QUAL_DATAMATRIX } from '../../../fixtures/hid/recordings';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const APP = 'ApCV-DEMO:1:AbCdEfGhIjKlMnOpQrStUv';

describe('scan pipeline in the composed host', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost();
  });
  afterAll(async () => {
    await host?.close();
  });

  it('classifies with the identity and appli carte Vitale recognisers', () => {
    expect(host.scan.pipeline.receive({ source: 'hid', symbology: 'qr', payload: bytes(APP) })).toMatchObject({ kind: 'apcv', summary: 'Appli carte Vitale (QR code).' });
    expect(host.scan.pipeline.receive({ source: 'nfc', symbology: 'nfc', payload: bytes(APP) })).toMatchObject({ kind: 'apcv', summary: 'Appli carte Vitale (sans contact).' });
    expect(host.scan.pipeline.receive({ source: 'webcam', symbology: 'datamatrix', payload: bytes(DEMO_QUAL_DATAMATRIX) }).kind).toBe('ins-datamatrix');
  });

  it('hands an appli carte Vitale scan to its domain once, and refuses another kind or an untrusted one', () => {
    const take = host.scan.takeFor('apcv');
    const app = host.scan.pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes(APP) });
    expect(Buffer.from(take(app.id)?.payload ?? []).toString()).toBe(APP);
    expect(take(app.id)).toBeNull();
    const datamatrix = host.scan.pipeline.receive({ source: 'webcam', symbology: 'datamatrix', payload: bytes(DEMO_QUAL_DATAMATRIX) });
    expect(() => take(datamatrix.id)).toThrow(expect.objectContaining({ code: 'SCAN_WRONG_KIND' }));
    const shaky = host.scan.pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes(APP), trusted: false, trustNote: 'x' });
    expect(() => take(shaky.id)).toThrow(expect.objectContaining({ code: 'SCAN_UNTRUSTED' }));
  });

  it('lets apcv.openFromScan say a scan is no longer held', async () => {
    await expect(host.dispatcher.invoke('apcv.openFromScan', { scanId: 'gone' })).rejects.toMatchObject({ code: 'APCV_SCAN_EXPIRED' });
  });
});
