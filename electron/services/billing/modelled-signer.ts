/**
 * Démo securing of FSEs. The CPS part is a real signature: RSA PKCS#1 v1.5 over SHA-256 of the
 * encoded FSE with the card's signature key through PKCS#11 (SoftHSM2 in démo), checkable with the
 * card's certificate. What a carte Vitale computes, and in what format, is under agreement
 * (cards.md §2: « FSE signing goes through the GIE SESAM-Vitale libraries »): MODELLED here as a
 * seal the desk computes from the card serial it read and the FSE — it proves nothing by itself
 * and is labelled `sceau-vitale-modele`. With the appli carte Vitale, the SI ApCV signs
 * (signerVitale: cards.md §3), through the ApCV service.
 */
import { createHash } from 'node:crypto';
import type { Signer } from '../../platform/crypto';
import type { FseSignatures, FseSigner, VitaleSecuring } from './adapters';

export const MODELLED_VITALE_SEAL = 'sceau-vitale-modele';
export const APCV_SIGNATURE = 'apcv-signerVitale';

export const modelledSigner: FseSigner = {
  async sign(encoded: Uint8Array, digest: string, cps: Signer, vitale: VitaleSecuring): Promise<FseSignatures> {
    let vitaleSignature: Uint8Array | null = null;
    let vitaleKind: string | null = null;
    // The Vitale side first: with the appli it is the step that may fail (online only).
    if (vitale?.kind === 'apcv') {
      vitaleSignature = await vitale.signerVitale(digest);
      vitaleKind = APCV_SIGNATURE;
    } else if (vitale?.kind === 'card') {
      // The real card computes its part: a card pulled out since it was read fails here, as it would.
      await vitale.present();
      vitaleSignature = createHash('sha256')
        .update(`${MODELLED_VITALE_SEAL}|${vitale.serial ?? ''}|${vitale.beneficiaryIndex}|`)
        .update(encoded)
        .digest();
      vitaleKind = MODELLED_VITALE_SEAL;
    }
    const signature = await cps.sign(encoded);
    const [certificate] = await cps.certificateChain();
    return { cps: signature, cpsCertificate: certificate ?? '', vitale: vitaleSignature, vitaleKind };
  },
};
