/** PemSigner: a structure certificate and its private key as PEM (or DER) text or files. */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../contract/errors';
import { parseCertificate, splitCertificates } from './certificates';
import { checkKeyMaterial, KeyObjectSigner, readPrivateKey, type KeySignerOptions } from './key-signer';

export interface PemSignerSource {
  /** PKCS#8 (possibly encrypted) or PKCS#1 private key, PEM or DER. */
  privateKey: string | Buffer;
  /** The certificate, optionally followed by its CA certificates, PEM or DER. */
  certificate: string | Buffer;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
}

export interface PemSignerFiles {
  privateKeyPath: string;
  certificatePath: string;
  /** Files with CA certificates (PEM) that complete the chain. */
  chainPaths?: readonly string[];
  passphrase?: string;
}

async function readSource(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_NOT_FOUND', { reason: 'file-unreadable' }, { cause });
  }
}

export class PemSigner extends KeyObjectSigner {
  private constructor(material: ConstructorParameters<typeof KeyObjectSigner>[1], options: KeySignerOptions) {
    super('pem', material, options);
  }

  static fromPem(source: PemSignerSource, options: KeySignerOptions = {}): PemSigner {
    const privateKey = readPrivateKey(source.privateKey, source.passphrase);
    const certificates = splitCertificates(source.certificate).map((pem) => parseCertificate(pem));
    return new PemSigner(checkKeyMaterial(privateKey, certificates), options);
  }

  static async fromFiles(files: PemSignerFiles, options: KeySignerOptions = {}): Promise<PemSigner> {
    const [privateKey, certificate, ...chain] = await Promise.all([
      readSource(files.privateKeyPath),
      readSource(files.certificatePath),
      ...(files.chainPaths ?? []).map(readSource),
    ]);
    return PemSigner.fromPem(
      { privateKey: privateKey as Buffer, certificate: certificate as Buffer, ...(files.passphrase !== undefined ? { passphrase: files.passphrase } : {}) },
      { ...options, extraCertificates: [...(options.extraCertificates ?? []), ...chain] },
    );
  }
}
