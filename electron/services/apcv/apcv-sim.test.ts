/**
 * The appli carte Vitale service against the SI ApCV simulator over real HTTPS (demo PKI): the
 * public request shapes, the CPS assertion checked by the simulator, the session rules on an
 * injected clock (20 minutes, one invoice), and every fault (unknown QR, expired context, second
 * invoice, service down, slow answers) with nothing half-done.
 */
import { createVerify } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { parseXml } from '../../platform/xml';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { DEMO_APPS, qrPayloadOf, UNKNOWN_APP } from '../../../fixtures/sim/apcv';
import { demoApcvPractitioner, startApcvHarness, type ApcvHarness } from '../../../fixtures/wiring/apcv';
import type { AuditInput } from '../audit';
import { recogniseApcvPayload } from './payload';
import { APCV_NS } from './request';
import { ApcvService, type ApcvPractitioner } from './service';
import type { ApcvLimits } from './session-rules';

const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
let pki: DemoPki;
let harness: ApcvHarness;
let practitioner: ApcvPractitioner;
const audit: AuditInput[] = [];
const events: Array<{ contextId: string; state: string }> = [];

function service(limits: Partial<ApcvLimits> = {}, who: () => ApcvPractitioner | null = () => practitioner): ApcvService {
  return new ApcvService({
    client: harness.client,
    mode: 'simulator',
    endpoint: () => harness.sim.url,
    clock,
    logger: createMemoryLogger(clock),
    audit: (entry) => audit.push(entry),
    practitioner: who,
    limits,
    notify: (change) => events.push(change),
  });
}

const bytes = (text: string) => new TextEncoder().encode(text);
const martin = DEMO_APPS.find((a) => a.id === 'app-martin')!;
const dupont = DEMO_APPS.find((a) => a.id === 'app-dupont')!;
const invoice = {
  type: 'FSE',
  insuredNir: { number: '1780169123456', key: '00' },
  hash: { kind: 'FSE' as const, value: 'q83vEjRWeJA=' },
  summary: {
    professional: { billingNumber: '991130972', idNat: '899700000001', name: 'PUPITRE CAMILLE' },
    beneficiary: { usedName: 'DUPONT', birthName: 'DUPONT', givenName: 'MARC', certifiedNir: null },
  },
};

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  harness = await startApcvHarness(pki, clock);
  practitioner = demoApcvPractitioner(pki.practitioner);
});

afterEach(async () => {
  await harness.sim.setDown(false);
  harness.sim.setLatency(0);
});

afterAll(async () => {
  await harness.close();
});

describe('recogniseApcvPayload', () => {
  it('claims the modelled QR shape from any source and nothing else', () => {
    expect(recogniseApcvPayload(bytes(qrPayloadOf(martin)), 'qr')).toMatchObject({ kind: 'apcv' });
    expect(recogniseApcvPayload(bytes(qrPayloadOf(martin)), '')).toMatchObject({ kind: 'apcv' });
    expect(recogniseApcvPayload(bytes(qrPayloadOf(martin)), 'datamatrix')).toBeNull();
    expect(recogniseApcvPayload(bytes('https://example.org'), 'qr')).toBeNull();
    expect(recogniseApcvPayload(bytes('ApCV-DEMO:1:'), 'qr')).toBeNull();
    expect(recogniseApcvPayload(new Uint8Array([0xff, 0xfe, 0x00]), 'qr')).toBeNull();
  });
});

describe('opening a context', () => {
  it('authenticates the payload byte for byte under a CPS assertion and returns the beneficiaries', async () => {
    const apcv = service();
    const view = await apcv.open(bytes(qrPayloadOf(dupont)), 'demo');
    expect(view.state).toBe('open');
    expect(view.timeLeftMs).toBe(20 * 60_000);
    expect(view.invoicesAllowed).toBe(1);
    expect(view.coverage).toEqual({ regime: '02', caisse: '691', centre: '0002' });
    expect(view.beneficiaries.map((b) => `${b.surname} ${b.givenName} ${b.quality.code} ${b.nir === null ? '-' : 'nir'}`)).toEqual([
      'DUPONT MARC 00 nir',
      'DUPONT INES 06 -',
    ]);
    expect(view.beneficiaries[0]?.insuredNir).toMatch(/^1780169123456\d{2}$/);

    // The envelope the SI ApCV received: public shape, payload as sent, assertion and ContexteLPS.
    const sent = harness.sim.requests.find((r) => r.action.endsWith('authentifierUtilisateurProximite'));
    const doc = parseXml(Buffer.from(sent!.xml));
    const body = doc.getElementsByTagNameNS(APCV_NS.auth, 'AuthentifierUtilisateurProximiteReq')[0]!;
    expect(body.getAttribute('version')).toBe('1.0');
    expect(doc.getElementsByTagNameNS(APCV_NS.auth, 'Donnees')[0]?.textContent).toBe(qrPayloadOf(dupont));
    expect(doc.getElementsByTagNameNS(APCV_NS.auth, 'IdentifiantFacturation')[0]?.textContent).toBe('991130972');
    expect(doc.getElementsByTagNameNS('urn:siram:lps:ctxlps', 'ContexteLPS')).toHaveLength(1);
    expect(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')).toHaveLength(1);
    expect(audit.at(-1)).toMatchObject({ action: 'apcv.context.opened', patientRef: null, details: { source: 'demo', beneficiaries: 2 } });
    expect(JSON.stringify(audit)).not.toContain('DUPONT');
  });

  it('refuses an unknown QR code with the next thing to do, and keeps no context', async () => {
    const apcv = service();
    await expect(apcv.open(bytes(qrPayloadOf(UNKNOWN_APP)), 'webcam')).rejects.toMatchObject({ code: 'APCV_PAYLOAD_REFUSED' });
    expect(apcv.status().contexts).toEqual([]);
    expect(audit.at(-1)).toMatchObject({ action: 'apcv.scan.refused', details: { code: 'APCV_PAYLOAD_REFUSED' } });
  });

  it('needs the professional’s card session (the assertion is signed on the card)', async () => {
    const apcv = service({}, () => null);
    await expect(apcv.open(bytes(qrPayloadOf(martin)), 'demo')).rejects.toMatchObject({ code: 'CARD_SESSION_REQUIRED' });
  });

  it('refuses at once while the service is known to be down, then tries again after the hold', async () => {
    const apcv = service();
    await harness.sim.setDown(true);
    const first = await apcv.open(bytes(qrPayloadOf(martin)), 'demo').catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'APCV_OFFLINE' });
    const before = harness.sim.requests.length;
    const started = Date.now();
    await expect(apcv.open(bytes(qrPayloadOf(martin)), 'demo')).rejects.toMatchObject({ code: 'APCV_OFFLINE', details: { held: true } });
    expect(Date.now() - started).toBeLessThan(200);
    expect(harness.sim.requests.length).toBe(before);
    expect(apcv.status().reachable).toBe('no');
    await harness.sim.setDown(false);
    clock.advance(31_000);
    const view = await apcv.open(bytes(qrPayloadOf(martin)), 'demo');
    expect(view.state).toBe('open');
    expect(apcv.status().reachable).toBe('yes');
  });

  it('refuses a slow answer instead of keeping the patient waiting, and leaves no context behind', async () => {
    const slow = await startApcvHarness(pki, clock, { timeouts: { responseMs: 300, totalMs: 1_000 } });
    try {
      const apcv = new ApcvService({
        client: slow.client,
        mode: 'simulator',
        endpoint: () => slow.sim.url,
        clock,
        logger: createMemoryLogger(clock),
        audit: () => undefined,
        practitioner: () => practitioner,
      });
      slow.sim.setLatency(1_500);
      await expect(apcv.open(bytes(qrPayloadOf(martin)), 'demo')).rejects.toMatchObject({ code: 'APCV_UNAVAILABLE' });
      expect(apcv.status().contexts).toEqual([]);
      slow.sim.setLatency(100);
      clock.advance(31_000);
      await expect(apcv.open(bytes(qrPayloadOf(martin)), 'demo')).resolves.toMatchObject({ state: 'open' });
    } finally {
      await slow.close();
    }
  });

  it('destroys the remote context when its data cannot be read back (nothing half-done)', async () => {
    const apcv = service();
    harness.sim.failNext('restore');
    await expect(apcv.open(bytes(qrPayloadOf(martin)), 'demo')).rejects.toMatchObject({ code: 'APCV_UNAVAILABLE' });
    expect(apcv.status().contexts).toEqual([]);
    expect(harness.sim.contexts().at(-1)?.destroyed).toBe(true);
    expect(audit.at(-1)).toMatchObject({ action: 'apcv.scan.refused', details: { code: 'APCV_UNAVAILABLE' } });
  });
});

describe('session rules on the injected clock', () => {
  it('counts 20 minutes down, then refuses the invoice locally and asks for a new scan', async () => {
    const apcv = service();
    const view = await apcv.open(bytes(qrPayloadOf(dupont)), 'demo');
    clock.advance(19 * 60_000);
    expect(apcv.context(view.id).timeLeftMs).toBe(60_000);
    clock.advance(60_000);
    expect(apcv.sweep()).toBe(1);
    const expired = apcv.context(view.id);
    expect(expired).toMatchObject({ state: 'expired', timeLeftMs: 0, beneficiaries: [] });
    expect(events.at(-1)).toEqual({ contextId: view.id, state: 'expired' });
    await expect(apcv.signerVitale(view.id, invoice)).rejects.toMatchObject({ code: 'APCV_CONTEXT_EXPIRED' });
  });

  it('keeps the earlier of the public lifetime and the service’s own expiry', async () => {
    const apcv = service({ contextLifetimeMs: 60 * 60_000 });
    const view = await apcv.open(bytes(qrPayloadOf(dupont)), 'demo');
    expect(view.timeLeftMs).toBe(20 * 60_000);
    expect(service().limits).toMatchObject({ contextLifetimeMs: 20 * 60_000, invoicesPerContext: 1 });
  });

  it('signs one invoice per context (signerVitale) and refuses the second', async () => {
    const apcv = service();
    const view = await apcv.open(bytes(qrPayloadOf(dupont)), 'demo');
    const signed = await apcv.signerVitale(view.id, invoice);
    expect(signed.invoicesLeft).toBe(0);
    const remote = harness.sim.contexts().at(-1)!;
    const ok = createVerify('sha256').update(`${remote.identifier}\n${invoice.hash.value}`).verify(pki.server.certificatePem, Buffer.from(signed.signature));
    expect(ok).toBe(true);
    const sent = harness.sim.requests.filter((r) => r.action.endsWith('signerVitale')).at(-1)!;
    const doc = parseXml(Buffer.from(sent.xml));
    expect(doc.getElementsByTagNameNS(APCV_NS.sign, 'NIRAssure')[0]?.getAttribute('cle')).toBe('00');
    expect(doc.getElementsByTagNameNS(APCV_NS.sign, 'DonneeFSE')[0]?.textContent).toBe(invoice.hash.value);
    await expect(apcv.signerVitale(view.id, invoice)).rejects.toMatchObject({ code: 'APCV_INVOICE_ALREADY_SIGNED' });
    expect(harness.sim.contexts().at(-1)?.invoices).toBe(1);
  });

  it('maps the SI ApCV’s own « second invoice » refusal when the local limit is looser', async () => {
    const apcv = service({ invoicesPerContext: 2 });
    const view = await apcv.open(bytes(qrPayloadOf(dupont)), 'demo');
    await apcv.signerVitale(view.id, invoice);
    await expect(apcv.signerVitale(view.id, invoice)).rejects.toMatchObject({ code: 'APCV_INVOICE_ALREADY_SIGNED' });
    expect(harness.sim.requests.filter((r) => r.fault === 'FACTURE_DEJA_SIGNEE').length).toBeGreaterThan(0);
  });

  it('maps the SI ApCV’s expiry when the local lifetime is looser (injected clock on both sides)', async () => {
    const lax = await startApcvHarness(pki, clock, { lifetimeMs: 5 * 60_000 });
    try {
      const apcv = new ApcvService({
        client: lax.client,
        mode: 'simulator',
        endpoint: () => lax.sim.url,
        clock,
        logger: createMemoryLogger(clock),
        audit: () => undefined,
        practitioner: () => practitioner,
        notify: (change) => events.push(change),
      });
      const view = await apcv.open(bytes(qrPayloadOf(dupont)), 'demo');
      expect(view.timeLeftMs).toBe(5 * 60_000);
      // Pretend the desk did not see it yet: bypass the local expiry by signing 1 ms before.
      clock.advance(5 * 60_000 - 1);
      const sign = apcv.signerVitale(view.id, invoice);
      clock.advance(1);
      await expect(sign).rejects.toMatchObject({ code: 'APCV_CONTEXT_EXPIRED' });
      expect(apcv.context(view.id).state).toBe('expired');
    } finally {
      await lax.close();
    }
  });

  it('closes the context when the patient is done and forgets the people', async () => {
    const apcv = service();
    const view = await apcv.open(bytes(qrPayloadOf(martin)), 'demo');
    await expect(apcv.close(view.id)).resolves.toEqual({ closed: true });
    expect(harness.sim.contexts().at(-1)?.destroyed).toBe(true);
    expect(apcv.context(view.id)).toMatchObject({ state: 'closed', beneficiaries: [] });
    await expect(apcv.signerVitale(view.id, invoice)).rejects.toMatchObject({ code: 'APCV_CONTEXT_UNKNOWN' });
    await expect(apcv.close(view.id)).resolves.toEqual({ closed: false });
  });

  it('says plainly that the appli carte Vitale needs the specification outside démo', async () => {
    const apcv = new ApcvService({ client: null, mode: 'unavailable', endpoint: () => 'à configurer', clock, logger: createMemoryLogger(clock), audit: () => undefined, practitioner: () => practitioner });
    await expect(apcv.open(bytes(qrPayloadOf(martin)), 'hid')).rejects.toMatchObject({ code: 'APCV_NOT_CONFIGURED' });
    expect(apcv.status().mode).toBe('unavailable');
  });
});
