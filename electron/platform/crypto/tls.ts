/**
 * TLS client credentials for mutual TLS with a structure certificate: INSi with CN INSI-AUTO /
 * INSI-MANU (insi.md §1.1), DMP indirect mode with ORG AUTH_CLI (dmp.md §1.2). The result is
 * given as-is to `https.Agent` / `tls.connect` options.
 *
 * A card's authentication key (PKCS#11) cannot be handed to Node's TLS stack, which only takes
 * keys in memory; direct-mode TLS with the CPS needs another route (see the report of issue 3).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../contract/errors';
import { isSelfIssued, orderChain, parseCertificate, splitCertificates, toPem } from './certificates';
import { checkKeyMaterial, readPrivateKey } from './key-signer';
import { readPkcs12 } from './pkcs12';

/** PEM options for `https.Agent` / `tls.connect`. */
export interface TlsClientCredentials {
  /** Unencrypted PKCS#8 private key. */
  key: string;
  /** The client certificate followed by its intermediates (never the root), PEM. */
  cert: string;
  /** Trust anchors for the server, when given. */
  ca?: string[];
}

/** PKCS#12 options for `https.Agent` / `tls.connect`, checked to open with the passphrase. */
export interface TlsPfxCredentials {
  pfx: Buffer;
  passphrase: string;
  ca?: string[];
}

export interface TlsServerTrust {
  /** PEM certificates of the CAs that issued the server's certificate. */
  serverCa?: readonly string[];
}

function withCa<T extends object>(options: T, trust: TlsServerTrust): T & { ca?: string[] } {
  return trust.serverCa && trust.serverCa.length > 0 ? { ...options, ca: trust.serverCa.flatMap((c) => splitCertificates(c)) } : options;
}

function presentedChain(chain: readonly ReturnType<typeof parseCertificate>[]): string {
  // RFC 8446 §4.4.2: the sender's certificate first, each following one certifying the previous;
  // the root may be omitted since the peer must already have it.
  return chain.filter((c, i) => i === 0 || !isSelfIssued(c)).map(toPem).join('');
}

/** From PEM text: the private key (possibly encrypted), the certificate and optional CA certificates. */
export function tlsCredentialsFromPem(
  source: { privateKey: string | Buffer; certificate: string | Buffer; chain?: readonly (string | Buffer)[]; passphrase?: string },
  trust: TlsServerTrust = {},
): TlsClientCredentials {
  const privateKey = readPrivateKey(source.privateKey, source.passphrase);
  const certificates = [source.certificate, ...(source.chain ?? [])].flatMap((c) => splitCertificates(c)).map((pem) => parseCertificate(pem));
  const material = checkKeyMaterial(privateKey, certificates);
  const chain = orderChain(material.certificate, material.others);
  return withCa(
    { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: presentedChain(chain) },
    trust,
  );
}

/** From a PKCS#12 file's content: decoded here, so legacy-encrypted files work with any TLS stack. */
export function tlsCredentialsFromPkcs12(data: Buffer, passphrase: string, trust: TlsServerTrust = {}): TlsClientCredentials {
  const contents = readPkcs12(data, passphrase);
  return withCa(
    { key: contents.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: presentedChain(contents.chain) },
    trust,
  );
}

/** The PKCS#12 file itself, after checking that the passphrase opens it and it holds an RSA key. */
export function tlsPfxCredentials(data: Buffer, passphrase: string, trust: TlsServerTrust = {}): TlsPfxCredentials {
  readPkcs12(data, passphrase);
  return withCa({ pfx: data, passphrase }, trust);
}

export type TlsCredentialSource =
  | { kind: 'pkcs12'; path: string; passphrase: string }
  | { kind: 'pem'; privateKeyPath: string; certificatePath: string; chainPaths?: readonly string[]; passphrase?: string };

async function readSource(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_NOT_FOUND', { reason: 'file-unreadable' }, { cause });
  }
}

/** Loads TLS client credentials from the files configured in the settings. */
export async function loadTlsClientCredentials(source: TlsCredentialSource, trust: TlsServerTrust = {}): Promise<TlsClientCredentials> {
  if (source.kind === 'pkcs12') return tlsCredentialsFromPkcs12(await readSource(source.path), source.passphrase, trust);
  const [privateKey, certificate, ...chain] = await Promise.all([
    readSource(source.privateKeyPath),
    readSource(source.certificatePath),
    ...(source.chainPaths ?? []).map(readSource),
  ]);
  return tlsCredentialsFromPem(
    {
      privateKey: privateKey as Buffer,
      certificate: certificate as Buffer,
      chain,
      ...(source.passphrase !== undefined ? { passphrase: source.passphrase } : {}),
    },
    trust,
  );
}
