/**
 * PKCS#12 (.p12/.pfx) files of structure certificates (ARCHITECTURE.md §6: INSI-AUTO/INSI-MANU,
 * DMP indirect mode). Decoded with node-forge rather than OpenSSL so that files encrypted with
 * the legacy algorithms older exports use (RC2, 3DES) open the same way as AES ones.
 */
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import forge from 'node-forge';
import { AppError } from '../../contract/errors';
import { orderChain, parseCertificate } from './certificates';
import { checkKeyMaterial, KeyObjectSigner, type KeyMaterial, type KeySignerOptions } from './key-signer';

export interface Pkcs12Contents extends KeyMaterial {
  /** The certificate first, then its issuers found in the file. */
  chain: X509Certificate[];
}

const PASSPHRASE_ERRORS = /Invalid password|wrong password|Failed to decrypt/i;

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

/** Reads the private key and certificates of a PKCS#12 file. */
export function readPkcs12(data: Buffer, passphrase: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const p12Asn1 = forge.asn1.fromDer(data.toString('binary'), false);
    p12 = forge.pkcs12.pkcs12FromAsn1(p12Asn1, false, passphrase);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : '';
    if (PASSPHRASE_ERRORS.test(message)) throw new AppError('CRYPTO_PASSPHRASE_INCORRECT', undefined, { cause });
    throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'invalid-pkcs12' }, { cause });
  }

  const certificates: X509Certificate[] = bagsOf(p12, forge.pki.oids.certBag as string).map((bag) => {
    const node = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    if (!node) throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'empty-certificate-bag' });
    return parseCertificate(Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary'));
  });

  const keyBags = [...bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag as string), ...bagsOf(p12, forge.pki.oids.keyBag as string)];
  const keyBag = keyBags[0];
  if (!keyBag) throw new AppError('CRYPTO_KEY_NOT_FOUND', { reason: 'no-key-in-pkcs12' });
  let privateKey: KeyObject;
  try {
    privateKey = keyBag.key
      ? createPrivateKey(forge.pki.privateKeyToPem(keyBag.key))
      : createPrivateKey({ key: Buffer.from(forge.asn1.toDer(keyBag.asn1 as forge.asn1.Asn1).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'invalid-private-key' }, { cause });
  }
  const material = checkKeyMaterial(privateKey, certificates);
  return { ...material, chain: orderChain(material.certificate, material.others) };
}

export class Pkcs12Signer extends KeyObjectSigner {
  private constructor(material: KeyMaterial, options: KeySignerOptions) {
    super('pkcs12', material, options);
  }

  static fromBuffer(data: Buffer, passphrase: string, options: KeySignerOptions = {}): Pkcs12Signer {
    return new Pkcs12Signer(readPkcs12(data, passphrase), options);
  }

  static async fromFile(path: string, passphrase: string, options: KeySignerOptions = {}): Promise<Pkcs12Signer> {
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (cause) {
      throw new AppError('CRYPTO_CERTIFICATE_NOT_FOUND', { reason: 'file-unreadable' }, { cause });
    }
    return Pkcs12Signer.fromBuffer(data, passphrase, options);
  }
}
