import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../contract';
import type { CardsChange } from '../../contract/domains/cards';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import type { Signer } from '../../platform/crypto';
import { createInProcessCards, CpsCard, IN_PROCESS_READERS, type InProcessCards } from '../../../fixtures/cards';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import type { AuditInput } from '../audit';
import { CardsService } from '.';

const [CPS_READER, VITALE_READER] = IN_PROCESS_READERS;

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
}, 120_000);

/** A signer double whose certificate is `chain[0]` (the card's signature certificate by default). */
function fakeSigner(chain: () => string[] = () => [pki.practitioner.signature.certificatePem]): Signer & { closed: boolean } {
  return {
    kind: 'pkcs11',
    algorithm: { digest: 'sha256', name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', jwa: 'RS256', oid: '1.2.840.113549.1.1.11', xmlDsig: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    closed: false,
    sign: async () => new Uint8Array(256),
    certificateChain: async () => chain(),
    async close() {
      this.closed = true;
    },
  };
}

interface Setup {
  cards: InProcessCards;
  service: CardsService;
  audit: AuditInput[];
  changes: CardsChange[];
  signer: ReturnType<typeof fakeSigner>;
  signerFactory: ReturnType<typeof vi.fn>;
  clock: ReturnType<typeof createManualClock>;
}

function setup(apduTimeoutMs = 500): Setup {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const cards = createInProcessCards({ logger, pki, apduTimeoutMs });
  const audit: AuditInput[] = [];
  const changes: CardsChange[] = [];
  const signer = fakeSigner();
  const signerFactory = vi.fn(() => ({ signer }));
  const service = new CardsService({ pcsc: cards.supervisor, clock, logger, audit: (e) => audit.push(e), notify: (c) => changes.push(c), signerFactory });
  service.start();
  return { cards, service, audit, changes, signer, signerFactory, clock };
}

describe('CardsService with the in-process emulators', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('lists both readers and recognises the cards by their ATR', () => {
    expect(s.service.readers().map((r) => [r.name, r.state])).toEqual([
      [CPS_READER, 'empty'],
      [VITALE_READER, 'empty'],
    ]);
    s.cards.insert(CPS_READER, 'cps-praticien');
    s.cards.insert(VITALE_READER, 'vitale-famille');
    const readers = s.service.readers();
    expect(readers[0]).toMatchObject({ state: 'present', cardKind: 'CPS3', atr: '3BAC00402A001225006480000310009000' });
    expect(readers[1]).toMatchObject({ state: 'present', cardKind: 'VITALE_2', cardLabel: 'Carte Vitale 2' });
    expect(s.changes.filter((c) => c.reason === 'card-inserted').map((c) => c.reader)).toEqual([CPS_READER, VITALE_READER]);
  });

  it('reads the CPS holder from the certificate and the card, without situations before the PIN (INFO_PS and certificate file ids modelled)', async () => {
    s.cards.insert(CPS_READER, 'cps-praticien');
    const holder = await s.service.readHolder();
    expect(holder).toMatchObject({
      cardKind: 'CPS3',
      cardType: 'CPS',
      idNat: '899700123450',
      rpps: '99700123450',
      surname: 'PUPITRE',
      givenName: 'CAMILLE',
      serial: '80250000019990001234',
      profession: { code: '10', label: 'Médecin' },
      specialty: { code: 'SM26' },
      situations: [],
      situationsLocked: true,
      expired: false,
    });
  });

  it('opens the practitioner session after a right PIN, with the situations and the signer (situation files modelled)', async () => {
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.verifyPin('1234')).resolves.toEqual({ ok: true, triesLeft: 3 });
    const session = s.service.practitionerSession();
    expect(session?.signer).toBe(s.signer);
    expect(session?.holder.situations.map((x) => x.structureId)).toEqual(['10B9990001', '10B9990002']);
    expect(session?.holder.situationsLocked).toBe(false);
    expect(s.signerFactory).toHaveBeenCalledWith(expect.objectContaining({ idNat: '899700123450' }), '1234');
    expect(s.service.sessionSummary()).toMatchObject({ idNat: '899700123450', surname: 'PUPITRE', situation: { structureName: 'CABINET MEDICAL PUPITRE DEMO' } });
    expect(s.changes.at(-1)).toEqual({ reason: 'session-opened', reader: CPS_READER });
    expect(s.audit.map((a) => a.action)).toContain('cards.session.opened');
  });

  it('refuses a signer whose certificate names another holder: no session, signer closed, nothing signed', async () => {
    // Two CPx in two readers: the PKCS#11 token that logged in is the secretary's, the PIN checked was Dr PUPITRE's.
    const other = fakeSigner(() => [pki.secretary.signature.certificatePem]);
    const sign = vi.spyOn(other, 'sign');
    s.signerFactory.mockImplementation(() => ({ signer: other }));
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.verifyPin('1234')).rejects.toMatchObject({ code: 'CARD_SIGNER_MISMATCH' });
    expect(s.service.practitionerSession()).toBeNull();
    expect(s.service.sessionSummary()).toBeNull();
    expect(other.closed).toBe(true);
    expect(sign).not.toHaveBeenCalled();
    expect(s.changes.map((c) => c.reason)).not.toContain('session-opened');
    const refused = s.audit.filter((a) => a.action === 'cards.session.refused');
    expect(refused).toEqual([
      { actor: '899700123450', patientRef: null, action: 'cards.session.refused', details: { cardType: 'CPS', reader: CPS_READER, reason: 'signer-mismatch' } },
    ]);
    // The other card's holder is not written anywhere.
    expect(JSON.stringify(s.audit)).not.toContain(pki.secretary.holder.idNat);
  });

  it('refuses when only the authentication signer is another holder\'s, and closes both', async () => {
    const other = fakeSigner(() => [pki.pharmacist.authentication.certificatePem]);
    s.signerFactory.mockImplementation(() => ({ signer: s.signer, authSigner: other }));
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.verifyPin('1234')).rejects.toMatchObject({ code: 'CARD_SIGNER_MISMATCH' });
    expect(s.service.practitionerSession()).toBeNull();
    expect(other.closed).toBe(true);
    expect(s.signer.closed).toBe(true);
  });

  it('refuses a signer that cannot show its certificate', async () => {
    const mute = fakeSigner(() => []);
    s.signerFactory.mockImplementation(() => ({ signer: mute }));
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.verifyPin('1234')).rejects.toMatchObject({ code: 'CARD_SIGNER_MISMATCH' });
    expect(mute.closed).toBe(true);
  });

  it('counts wrong PINs down and then reports the card blocked', async () => {
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.verifyPin('0000')).resolves.toEqual({ ok: false, triesLeft: 2 });
    await expect(s.service.verifyPin('1111')).resolves.toEqual({ ok: false, triesLeft: 1 });
    await expect(s.service.verifyPin('2222')).resolves.toEqual({ ok: false, triesLeft: 0 });
    await expect(s.service.verifyPin('1234')).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED' });
    expect(s.service.practitionerSession()).toBeNull();
  });

  it('refuses a blocked card and a badly formed PIN without touching the tries', async () => {
    s.cards.insert(CPS_READER, 'cps-bloquee');
    await expect(s.service.verifyPin('1234')).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED' });
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.verifyPin('12a4')).rejects.toMatchObject({ code: 'CARD_PIN_FORMAT' });
    await expect(s.service.verifyPin('1234')).resolves.toEqual({ ok: true, triesLeft: 3 });
  });

  it('recognises a CPE holder (staff card, no RPPS)', async () => {
    s.cards.insert(CPS_READER, 'cpe-secretaire');
    const holder = await s.service.readHolder();
    expect(holder).toMatchObject({ cardType: 'CPE', rpps: null, surname: 'SECRETAIRE-DEMO', profession: null });
  });

  it('refuses the session on an expired card', async () => {
    s.cards.insert(CPS_READER, 'cps-praticien');
    s.clock.set(Date.UTC(2036, 0, 1));
    await expect(s.service.verifyPin('1234')).rejects.toMatchObject({ code: 'CARD_EXPIRED' });
    expect(s.service.practitionerSession()).toBeNull();
  });

  it('closes the session and drops the cache when the card is removed', async () => {
    s.cards.insert(CPS_READER, 'cps-praticien');
    await s.service.verifyPin('1234');
    s.cards.remove(CPS_READER);
    await vi.waitFor(() => expect(s.signer.closed).toBe(true));
    expect(s.service.practitionerSession()).toBeNull();
    expect(s.changes.map((c) => c.reason)).toContain('session-closed');
    await expect(s.service.readHolder()).rejects.toMatchObject({ code: 'CARD_ABSENT' });
  });

  it('closes the session when the reader itself goes away, and sees it come back', async () => {
    s.cards.insert(CPS_READER, 'cps-praticien');
    await s.service.verifyPin('1234');
    s.cards.backend.removeReader(CPS_READER);
    await vi.waitFor(() => expect(s.service.practitionerSession()).toBeNull());
    expect(s.service.readers().map((r) => r.name)).toEqual([VITALE_READER]);
    s.cards.backend.addReader(CPS_READER);
    expect(s.service.readers().map((r) => r.name)).toEqual([CPS_READER, VITALE_READER]);
    expect(s.changes.map((c) => c.reason)).toEqual(expect.arrayContaining(['reader-removed', 'reader-added', 'session-closed']));
  });

  it('reads every beneficiary of a family Vitale card: twins with their rank, a minor without NIR (files beyond EF 2001, rank and insured template modelled)', async () => {
    s.cards.insert(VITALE_READER, 'vitale-famille');
    const vitale = await s.service.readBeneficiaries();
    expect(vitale).toMatchObject({ generation: 2, regime: '01', caisse: '751', centre: '0001', validFrom: '20240115', serial: '0000123456' });
    expect(vitale.beneficiaries.map((b) => [b.givenName, b.birthRank, b.quality.code, b.sex])).toEqual([
      ['JULIEN', 1, '00', 'M'],
      ['AMELIE', 1, '02', 'F'],
      ['HUGO', 1, '06', null],
      ['LEA', 2, '06', null],
    ]);
    expect(vitale.beneficiaries[1]).toMatchObject({ surname: 'BERNARD', usedName: 'LEROUX', nir: '287096912304577', insuredNir: '185047505612372' });
    expect(vitale.beneficiaries[2]?.birthDate).toEqual({ raw: '20160602', year: 2016, month: 6, day: 2, lunar: false, display: '02/06/2016' });
  });

  it('keeps a lunar birth date as read', async () => {
    s.cards.insert(VITALE_READER, 'vitale-lunaire');
    const vitale = await s.service.readBeneficiaries(VITALE_READER);
    expect(vitale.beneficiaries[0]?.birthDate).toEqual({ raw: '19520000', year: 1952, month: null, day: null, lunar: true, display: '00/00/1952' });
  });

  it('caches the Vitale read per card and audits every read without health data', async () => {
    s.cards.insert(VITALE_READER, 'vitale-famille');
    await s.service.readBeneficiaries();
    const apdus = s.cards.backend.cardIn(VITALE_READER) as unknown as { apdus: number };
    const after = apdus.apdus;
    await s.service.readBeneficiaries();
    expect(apdus.apdus).toBe(after);
    const reads = s.audit.filter((a) => a.action === 'cards.vitale.read');
    expect(reads).toHaveLength(2);
    expect(reads[1]?.details).toEqual({ reader: VITALE_READER, beneficiaries: 4, cached: true });
    expect(JSON.stringify(s.audit)).not.toMatch(/LEROUX|185047505612372/);
  });

  it('reports a Vitale 1 card as such', async () => {
    s.cards.insert(VITALE_READER, 'vitale-1');
    expect(s.service.readers()[1]).toMatchObject({ cardKind: 'VITALE_1' });
    await expect(s.service.readBeneficiaries()).rejects.toMatchObject({ code: 'CARD_VITALE_1_UNSUPPORTED' });
  });

  it('tells a wrong card from no card', async () => {
    await expect(s.service.readBeneficiaries()).rejects.toMatchObject({ code: 'CARD_ABSENT' });
    s.cards.insert(CPS_READER, 'cps-praticien');
    await expect(s.service.readBeneficiaries()).rejects.toMatchObject({ code: 'CARD_WRONG_TYPE' });
    await expect(s.service.readBeneficiaries(CPS_READER)).rejects.toMatchObject({ code: 'CARD_WRONG_TYPE' });
    await expect(s.service.readBeneficiaries('Lecteur inconnu')).rejects.toMatchObject({ code: 'CARD_READER_NOT_FOUND' });
  });

  it('gives a clean error when the card is pulled mid-read, and the next read works', async () => {
    const card = s.cards.insert(VITALE_READER, 'vitale-famille');
    card.faults.removeAfterApdus = 4;
    await expect(s.service.readBeneficiaries()).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(s.service.readers()[1]?.state).toBe('empty');
    s.cards.insert(VITALE_READER, 'vitale-famille');
    await expect(s.service.readBeneficiaries()).resolves.toMatchObject({ beneficiaries: expect.any(Array) });
  });

  it('times out on a mute card', async () => {
    const card = s.cards.insert(VITALE_READER, 'vitale-famille');
    card.faults.mute = true;
    await expect(s.service.readBeneficiaries()).rejects.toMatchObject({ code: 'CARD_MUTE' });
  });

  it('turns an unexpected status word into a typed error', async () => {
    const card = s.cards.insert(VITALE_READER, 'vitale-famille');
    card.faults.statusWord = { ins: 0xb0, sw: 0x6f00, once: true };
    const error = await s.service.readBeneficiaries().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CARD_STATUS_WORD');
    expect((error as AppError).details).toMatchObject({ sw: '6F00' });
    await expect(s.service.readBeneficiaries()).resolves.toMatchObject({ generation: 2 });
  });

  it('refuses a second exclusive connection as a busy reader', async () => {
    const card = s.cards.insert(VITALE_READER, 'vitale-famille');
    const connection = await s.cards.backend.connect(VITALE_READER);
    await expect(s.service.readBeneficiaries()).rejects.toMatchObject({ code: 'CARD_READER_BUSY' });
    await connection.disconnect();
    expect(card.apdus).toBe(0);
  });

  it('works with T=1-style cards too (no 61xx/6Cxx)', async () => {
    const profile = { cardNumber: '8025000001/9990001234', profession: null, specialty: null, situations: [], pin: '1234' };
    const der = (pem: string) => Uint8Array.from(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const card = new CpsCard(
      { ...profile, authenticationCertificateDer: der(pki.practitioner.authentication.certificatePem), signatureCertificateDer: der(pki.practitioner.signature.certificatePem) },
      { t0: false },
    );
    s.cards.insert(CPS_READER, card);
    await expect(s.service.readHolder()).resolves.toMatchObject({ idNat: '899700123450' });
  });
});
