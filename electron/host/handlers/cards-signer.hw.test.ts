/**
 * The production signer factory against two SoftHSM2 tokens standing for two CPx in two readers
 * (the secretary's CPE and Dr PUPITRE's CPS), each with its own PIN: the token that logs in is the
 * one of the holder whose PIN was verified, even when the other card comes first in slot order.
 *
 * SoftHSM2 has no try counter, but a wrong PIN sets CKF_USER_PIN_COUNT_LOW on the token (SoftHSMv2
 * Token::loginUser; fixtures/sim/pki/softhsm.ts): a token left without that flag got no wrong login.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Pkcs11Module, type Pkcs11TokenInfo } from '../../../native/pkcs11';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { provisionDemoToken, SOFTHSM2_MODULE, softhsmMissing, type DemoCardHolderKind } from '../../../fixtures/sim/pki/softhsm';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import type { CpsHolder } from '../../contract/domains/cards';
import { createManualClock } from '../../platform/clock';
import { describeCertificate, verifySignature } from '../../platform/crypto';
import { pkcs11SignerFactory } from './cards';

const PINS: Record<'practitioner' | 'secretary', string> = { practitioner: '1234', secretary: '5678' };

describeWithPrerequisites('hardware', softhsmMissing, 'production signer factory with two CPx cards', () => {
  let pki: DemoPki;
  let dir: string;
  /** Kept open so that SoftHSM2's token flags stay those of this process (the library stays initialised). */
  let watcher: Pkcs11Module;
  const kindByLabel = new Map<string, DemoCardHolderKind>();
  const clock = createManualClock(Date.UTC(2026, 11, 7));

  const tokens = (): Pkcs11TokenInfo[] => watcher.tokens().filter((t) => t.flags.tokenInitialized);
  const holderOf = (kind: DemoCardHolderKind): CpsHolder => {
    const h = pki[kind].holder;
    return {
      cardKind: 'CPS3',
      cardType: h.cardType,
      serial: h.cardNumber.replace('/', ''),
      idNat: h.idNat,
      rpps: h.rpps,
      surname: h.surname,
      givenName: h.givenName,
      profession: h.profession,
      specialty: null,
      situations: [],
      situationsLocked: false,
      expiresAt: null,
      expired: false,
    };
  };

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    dir = await mkdtemp(join(tmpdir(), 'pupitre-two-cards-'));
    for (const holder of ['practitioner', 'secretary'] as const) {
      const token = await provisionDemoToken({ pki, dir, holder, userPin: PINS[holder] });
      kindByLabel.set(token.label, holder);
      // SoftHSM2 reads its configuration when the module is initialised (one directory, both tokens).
      process.env.SOFTHSM2_CONF = token.confPath;
    }
    watcher = Pkcs11Module.open({ path: SOFTHSM2_MODULE });
  }, 120_000);

  afterAll(async () => {
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs into the card of the holder whose PIN was verified, never into the other card first in slot order', async () => {
    // SoftHSM2 orders slots by an id drawn from each token's random serial: take the holder of the
    // second token, so that the other professional's card is the first one.
    const [first, second] = tokens();
    const target = kindByLabel.get(second?.label ?? '');
    const other = kindByLabel.get(first?.label ?? '');
    expect(target).toBeDefined();
    expect(other).toBeDefined();
    expect(other).not.toBe(target);

    const signers = await pkcs11SignerFactory(() => SOFTHSM2_MODULE, clock)(holderOf(target!), PINS[target as 'practitioner' | 'secretary']);
    try {
      const [leaf] = await signers.signer.certificateChain();
      const [authLeaf] = (await signers.authSigner?.certificateChain()) ?? [];
      expect(describeCertificate(leaf!).subjectValue('CN')).toBe(pki[target!].holder.idNat);
      expect(describeCertificate(authLeaf!).subjectValue('CN')).toBe(pki[target!].holder.idNat);
      const data = new TextEncoder().encode('VIHF de Dr B');
      expect(verifySignature(pki[target!].signature.certificatePem, data, await signers.signer.sign(data))).toBe(true);
    } finally {
      await signers.signer.close();
      await signers.authSigner?.close();
    }
    const firstAfter = tokens().find((t) => t.label === first!.label);
    expect(firstAfter?.flags).toMatchObject({ pinCountLow: false, pinLocked: false });
  });

  it('logs into no card when none holds the holder\'s certificate', async () => {
    const error = await Promise.resolve(pkcs11SignerFactory(() => SOFTHSM2_MODULE, clock)(holderOf('pharmacist'), PINS.practitioner)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CARD_SIGNER_MISMATCH' });
    for (const token of tokens()) expect(token.flags, token.label).toMatchObject({ pinCountLow: false, pinLocked: false });
  });
});
