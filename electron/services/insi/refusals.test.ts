/**
 * Forged assertions PS against the INSi simulator (which checks them itself: signature, chain to the
 * demo CAs at its clock, NameID = certificate CN): each is refused at the simulator (DESIR_560 with
 * the reason, no identity returned) and the desk gets the French message of INSI_RIGHTS_INSUFFICIENT.
 * The real fault code for a bad assertion is not public: DESIR_560 is modelled (README).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { createTestCa } from '../../../fixtures/testing/pki';
import { replaceOnce, tamperingTransport } from '../../../fixtures/testing/wire';
import { DEMO_LPS, demoPractitionerSession, startInsiHarness, type InsiHarness } from '../../../fixtures/wiring/insi';
import { createManualClock } from '../../platform/clock';
import { PemSigner } from '../../platform/crypto';
import { InsiClient, type InsiCredentials } from './client';

const QUERY = { birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F' as const, birthDate: '1975-12-31', birthPlaceCode: null };
const RIGHTS = /^Le téléservice INSi refuse l'accès : droits insuffisants/;

describe('the INSi simulator refuses forged assertions PS, and the desk says why in French', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
  let simNow = clock.now();
  let pki: DemoPki;
  let harness: InsiHarness;
  let cps: InsiCredentials;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    harness = await startInsiHarness(pki, clock, { now: () => simNow });
    const session = demoPractitionerSession(pki.practitioner);
    cps = { mode: 'cps', holder: session.holder, signer: session.signer };
  });
  afterAll(async () => {
    await harness.close();
    harness.transports.cps.close();
    harness.transports.structure.close();
  });

  const last = () => harness.sim.requests.at(-1);

  it('accepts the genuine assertion (the baseline the forgeries differ from)', async () => {
    await expect(harness.client.searchByTraits(QUERY, cps)).resolves.toMatchObject({ code: '00' });
    expect(last()).toMatchObject({ authentication: 'cps', code: '00' });
  });

  it('altered after signing (NameID changed): refused, signature invalid', async () => {
    // The holder's IdNat 899700123450 becomes 899700123451 in the signed assertion's NameID.
    const transport = tamperingTransport(harness.transports.cps, (body) => replaceOnce(body, 'NameQualifier="CPS">899700123450<', 'NameQualifier="CPS">899700123451<'));
    const client = new InsiClient({ transport: (mode) => (mode === 'cps' ? transport : harness.transports.structure), endpoint: () => harness.sim.url, lps: () => DEMO_LPS, clock });
    const error = await client.searchByTraits(QUERY, cps).catch((e: unknown) => e);
    expect(transport.edited).toBe(1);
    expect(last()).toMatchObject({ code: 'fault', faultCode: 'DESIR_560', faultReason: 'Assertion PS invalide (signature).' });
    expect(error).toMatchObject({ code: 'INSI_RIGHTS_INSUFFICIENT', message: expect.stringMatching(RIGHTS) });
  });

  it('signed by a certificate of an unknown authority, same holder name: refused', async () => {
    const validity = { notBefore: new Date(Date.UTC(2025, 0, 1)), notAfter: new Date(Date.UTC(2030, 0, 1)) };
    const stranger = createTestCa('AC inconnue de INSi', validity).issue(pki.practitioner.holder.idNat, validity);
    const signer = PemSigner.fromPem({ privateKey: stranger.keyPem, certificate: stranger.certPem });
    const error = await harness.client.searchByTraits(QUERY, { ...cps, signer } as InsiCredentials).catch((e: unknown) => e);
    expect(last()).toMatchObject({ faultCode: 'DESIR_560', faultReason: "Certificat de l'assertion PS inconnu." });
    expect(error).toMatchObject({ code: 'INSI_RIGHTS_INSUFFICIENT', message: expect.stringMatching(RIGHTS) });
  });

  it('signed by an expired card certificate: refused', async () => {
    simNow = Date.UTC(2036, 0, 15, 9); // the demo card certificates end on 2035-12-31
    try {
      const error = await harness.client.searchByTraits(QUERY, cps).catch((e: unknown) => e);
      expect(last()).toMatchObject({ faultCode: 'DESIR_560', faultReason: "Certificat de l'assertion PS expiré." });
      expect(error).toMatchObject({ code: 'INSI_RIGHTS_INSUFFICIENT', message: expect.stringMatching(RIGHTS) });
    } finally {
      simNow = clock.now();
    }
  });

  it('signed by another genuine card than the holder it names: refused', async () => {
    const secretary = demoPractitionerSession(pki.secretary);
    const error = await harness.client.searchByTraits(QUERY, { ...cps, signer: secretary.signer } as InsiCredentials).catch((e: unknown) => e);
    expect(last()).toMatchObject({ faultCode: 'DESIR_560', faultReason: "L'identifiant de l'assertion ne correspond pas au certificat." });
    expect(error).toMatchObject({ code: 'INSI_RIGHTS_INSUFFICIENT', message: expect.stringMatching(RIGHTS) });
  });
});
