/**
 * The assertion PS signed by a card through PKCS#11 (SoftHSM2 token provisioned like the demo CPS):
 * the simulator verifies the signature against the demo CA and answers (hardware tier).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInsiHarness, type InsiHarness } from '../../../fixtures/wiring/insi';
import { ensureSharedTestPki, DEMO_PRACTITIONER } from '../../../fixtures/sim/pki';
import { provisionDemoToken, softhsmMissing, SOFTHSM2_MODULE } from '../../../fixtures/sim/pki/softhsm';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import { createManualClock } from '../../platform/clock';
import { Pkcs11Signer } from '../../platform/crypto';

describeWithPrerequisites('hardware', softhsmMissing, 'INSi assertion PS signed on a PKCS#11 token', () => {
  let dir: string;
  let harness: InsiHarness;
  let signer: Pkcs11Signer;

  beforeAll(async () => {
    const pki = await ensureSharedTestPki();
    dir = await mkdtemp(join(tmpdir(), 'pupitre-insi-softhsm-'));
    const token = await provisionDemoToken({ pki, dir });
    process.env.SOFTHSM2_CONF = token.confPath;
    signer = Pkcs11Signer.open({ modulePath: SOFTHSM2_MODULE, token: { label: token.label }, pin: token.userPin, key: 'signature' });
    harness = await startInsiHarness(pki, createManualClock(Date.UTC(2026, 0, 15, 9)));
  }, 120_000);

  afterAll(async () => {
    await signer?.close();
    await harness?.close();
    harness?.transports.cps.close();
    harness?.transports.structure.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is accepted by the simulator, which checks the signature and the NameID against the card certificate', async () => {
    const result = await harness.client.searchByTraits(
      { birthName: 'CORSE', givenNames: 'ANTHONY', sex: 'M', birthDate: '1980-03-02', birthPlaceCode: null },
      { mode: 'cps', holder: { idNat: DEMO_PRACTITIONER.idNat, activitySector: 'SA07' }, signer },
    );
    expect(result.identity?.active.matricule).toBe('180032B02040123');
    expect(harness.sim.requests.at(-1)).toMatchObject({ authentication: 'cps', emitter: DEMO_PRACTITIONER.idNat });
  });

  it('is refused when the NameID is not the card holder (DESIR_560)', async () => {
    await expect(
      harness.client.searchByTraits(
        { birthName: 'CORSE', givenNames: 'ANTHONY', sex: 'M', birthDate: '1980-03-02', birthPlaceCode: null },
        { mode: 'cps', holder: { idNat: '899999999999' }, signer },
      ),
    ).rejects.toMatchObject({ code: 'INSI_RIGHTS_INSUFFICIENT' });
  });
});
