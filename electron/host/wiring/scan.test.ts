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
/** The official eP-MED-DM example's number (ANS TestContenuCDA-3-0): the modelled shape. */
const ERX = '01S2TBPZ2JCNZZYGHZ';

describe('scan pipeline in the composed host', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost();
  });
  afterAll(async () => {
    await host?.close();
  });

  it('classifies with the identity, appli carte Vitale and ordonnance numérique recognisers', () => {
    expect(host.scan.pipeline.receive({ source: 'hid', symbology: 'qr', payload: bytes(APP) })).toMatchObject({ kind: 'apcv', summary: 'Appli carte Vitale (QR code).' });
    expect(host.scan.pipeline.receive({ source: 'nfc', symbology: 'nfc', payload: bytes(APP) })).toMatchObject({ kind: 'apcv', summary: 'Appli carte Vitale (sans contact).' });
    expect(host.scan.pipeline.receive({ source: 'webcam', symbology: 'datamatrix', payload: bytes(DEMO_QUAL_DATAMATRIX) }).kind).toBe('ins-datamatrix');
    // A wedge scanner adds its CR; the event shows only the end of the number.
    const erx = host.scan.pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes(`${ERX}\r`) });
    expect(erx).toMatchObject({ kind: 'eprescription', summary: 'Ordonnance numérique (n° …YGHZ).', details: { numberEnd: 'YGHZ' } });
    expect(JSON.stringify(erx)).not.toContain(ERX);
    // Not an ordonnance: one character short, the number inside an URL.
    expect(host.scan.pipeline.receive({ source: 'hid', symbology: 'qr', payload: bytes(ERX.slice(1)) }).kind).toBe('unknown');
    expect(host.scan.pipeline.receive({ source: 'hid', symbology: 'qr', payload: bytes(`https://example.org/${ERX}`) }).kind).toBe('unknown');
  });

  it('hands an ordonnance numérique scan to the dispensation by scan id: only to a pharmacist, once', async () => {
    const erx = host.scan.pipeline.receive({ source: 'hid', symbology: 'qr', payload: bytes(ERX) });
    // No card in the reader: the dispensation refuses before taking the payload.
    await expect(host.dispatcher.invoke('eprescription.dispensation.open', { scanId: erx.id })).rejects.toMatchObject({ code: expect.stringMatching(/^ERX_/) });
    expect(Buffer.from(host.scan.pipeline.takePayload(erx.id, { kind: 'eprescription' }).payload).toString()).toBe(ERX);
    expect(() => host.scan.pipeline.takePayload(erx.id, { kind: 'eprescription' })).toThrow(expect.objectContaining({ code: 'SCAN_NOT_FOUND' }));
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
