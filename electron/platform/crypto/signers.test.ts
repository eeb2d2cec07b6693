import { createPrivateKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Element } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { isAppError } from '../../contract/errors';
import { createManualClock } from '../clock';
import { attr, el, parseXml, serializeElement, signEnveloped, toDocument, verifyEnvelopedSignature, type XmlSigner } from '../xml';
import { PemSigner, Pkcs12Signer, readPkcs12, RSA_PKCS1_SHA256, verifySignature, type Signer } from './index';

let pki: DemoPki;
let scratch: string;

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  scratch = await mkdtemp(join(tmpdir(), 'pupitre-signers-'));
}, 120_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

const data = new TextEncoder().encode('<SignedInfo>assertion PS</SignedInfo>');

/**
 * Signs a small SAML-like element through platform/xml with `signer` (typed as the XML layer's
 * XmlSigner), verifies it against the demo CAs, then checks that an edited copy is refused.
 * Returns the verified certificate (PEM without line breaks).
 */
async function signedAndVerified(signer: XmlSigner): Promise<string> {
  const doc = toDocument(el('Jeton', attr('ID', '_j1'), el('Patient', '258036311304224')));
  const target = doc.documentElement as Element;
  await signEnveloped(target, { signer });
  const trust = { kind: 'anchors' as const, anchors: [pki.rootCa.certificatePem], intermediates: [pki.personnesCa.certificatePem, pki.organisationsCa.certificatePem], at: Date.UTC(2026, 0, 15) };
  const verified = verifyEnvelopedSignature(target, { trust });
  const edited = parseXml(serializeElement(target).replace('258036311304224', '291096912311802')).documentElement as Element;
  expect(() => verifyEnvelopedSignature(edited, { trust })).toThrow(expect.objectContaining({ code: 'XML_SIGNATURE_INVALID' }));
  return verified.certificate.toString().replace(/\r?\n/g, '');
}

describe('PemSigner', () => {
  it('signs RSA-SHA256 with the structure key and gives the chain leaf first', async () => {
    const credential = pki.structure.dmpSignature;
    const signer = await PemSigner.fromFiles({
      privateKeyPath: credential.paths.privateKeyPem,
      certificatePath: credential.paths.certificatePem,
      chainPaths: [pki.paths.caBundle],
    });
    expect(signer.kind).toBe('pem');
    expect(signer.algorithm).toBe(RSA_PKCS1_SHA256);
    expect(signer.algorithm.xmlDsig).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const signature = await signer.sign(data);
    expect(signature).toHaveLength(256);
    expect(verifySignature(credential.certificatePem, data, signature)).toBe(true);
    expect(verifySignature(credential.certificatePem, new TextEncoder().encode('tampered'), signature)).toBe(false);
    expect(await signer.certificateChain()).toEqual([credential.certificatePem, pki.organisationsCa.certificatePem, pki.rootCa.certificatePem]);
  });

  it('accepts the certificate followed by its chain in one PEM text', async () => {
    const credential = pki.structure.insiAuto;
    const signer = PemSigner.fromPem({ privateKey: credential.privateKeyPem, certificate: credential.chainPem.join('') });
    expect(await signer.certificateChain()).toEqual(credential.chainPem);
  });

  it('opens an encrypted PKCS#8 key with its passphrase only', async () => {
    const credential = pki.structure.insiManu;
    const encrypted = createPrivateKey(credential.privateKeyPem).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret de structure',
    });
    const source = { privateKey: encrypted, certificate: credential.certificatePem };
    const signer = PemSigner.fromPem({ ...source, passphrase: 'secret de structure' });
    expect(verifySignature(credential.certificatePem, data, await signer.sign(data))).toBe(true);
    await expect(codeOf(() => PemSigner.fromPem({ ...source, passphrase: 'mauvais' }))).resolves.toBe('CRYPTO_PASSPHRASE_INCORRECT');
    await expect(codeOf(() => PemSigner.fromPem(source))).resolves.toBe('CRYPTO_PASSPHRASE_INCORRECT');
  });

  it('refuses a key that the certificate does not certify', async () => {
    await expect(
      codeOf(() => PemSigner.fromPem({ privateKey: pki.structure.insiAuto.privateKeyPem, certificate: pki.structure.insiManu.certificatePem })),
    ).resolves.toBe('CRYPTO_KEY_MISMATCH');
  });

  it('refuses keys that cannot make an RSA signature', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    await expect(codeOf(() => PemSigner.fromPem({ privateKey: pem, certificate: pki.server.certificatePem }))).resolves.toBe('CRYPTO_KEY_UNSUPPORTED');
  });

  it('reports unreadable and missing files', async () => {
    await expect(codeOf(() => PemSigner.fromPem({ privateKey: 'not a key', certificate: pki.server.certificatePem }))).resolves.toBe(
      'CRYPTO_CERTIFICATE_UNREADABLE',
    );
    await expect(codeOf(() => PemSigner.fromPem({ privateKey: pki.server.privateKeyPem, certificate: 'garbage' }))).resolves.toBe(
      'CRYPTO_CERTIFICATE_UNREADABLE',
    );
    await expect(
      codeOf(() => PemSigner.fromFiles({ privateKeyPath: join(scratch, 'absent.key'), certificatePath: pki.server.paths.certificatePem })),
    ).resolves.toBe('CRYPTO_CERTIFICATE_NOT_FOUND');
  });

  it('refuses to sign outside the certificate validity when given a clock', async () => {
    const clock = createManualClock(Date.UTC(2040, 0, 1));
    const signer = PemSigner.fromPem({ privateKey: pki.server.privateKeyPem, certificate: pki.server.certificatePem }, { clock });
    await expect(codeOf(() => signer.sign(data))).resolves.toBe('CRYPTO_CERTIFICATE_EXPIRED');
    clock.set(Date.UTC(2026, 0, 15));
    await expect(signer.sign(data)).resolves.toHaveLength(256);
  });

  it('cannot sign once closed', async () => {
    const signer = PemSigner.fromPem({ privateKey: pki.server.privateKeyPem, certificate: pki.server.certificatePem });
    await signer.close();
    await expect(codeOf(() => signer.sign(data))).resolves.toBe('CRYPTO_SIGNATURE_FAILED');
  });

  it('signs for the XML signature layer: an enveloped signature it makes verifies against the demo CA, and fails once the content changes', async () => {
    const credential = pki.structure.dmpSignature;
    const signer: Signer = PemSigner.fromPem({ privateKey: credential.privateKeyPem, certificate: credential.chainPem.join('') });
    await expect(signedAndVerified(signer)).resolves.toBe(credential.certificatePem.replace(/\r?\n/g, ''));
  });
});

describe('Pkcs12Signer', () => {
  it('opens the INSI-AUTO PKCS#12 file and signs like the same key in PEM', async () => {
    const credential = pki.structure.insiAuto;
    const fromP12 = await Pkcs12Signer.fromFile(credential.paths.pkcs12, pki.pkcs12Passphrase);
    const fromPem = PemSigner.fromPem({ privateKey: credential.privateKeyPem, certificate: credential.certificatePem });
    expect(fromP12.kind).toBe('pkcs12');
    const signature = await fromP12.sign(data);
    // RSA PKCS#1 v1.5 is deterministic: the same key gives the same bytes.
    expect(Buffer.from(signature).equals(Buffer.from(await fromPem.sign(data)))).toBe(true);
    expect(verify('sha256', data, fromP12.certificate.publicKey, signature)).toBe(true);
    expect(await fromP12.certificateChain()).toEqual(credential.chainPem);
  });

  it('reports a wrong passphrase and a file that is not PKCS#12', async () => {
    const p12 = await readFile(pki.structure.insiAuto.paths.pkcs12);
    await expect(codeOf(() => Pkcs12Signer.fromBuffer(p12, 'mauvais mot de passe'))).resolves.toBe('CRYPTO_PASSPHRASE_INCORRECT');
    await expect(codeOf(() => Pkcs12Signer.fromBuffer(Buffer.from('not pkcs12'), 'x'))).resolves.toBe('CRYPTO_CERTIFICATE_UNREADABLE');
    await expect(codeOf(() => Pkcs12Signer.fromFile(join(scratch, 'absent.p12'), 'x'))).resolves.toBe('CRYPTO_CERTIFICATE_NOT_FOUND');
  });

  it('opens legacy 3DES files, whatever the order of the certificates inside', async () => {
    const credential = pki.structure.dmpAuthentication;
    const certificates = [...credential.chainPem].reverse().map((pem) => forge.pki.certificateFromPem(pem));
    const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(credential.privateKeyPem), certificates, 'ancien', { algorithm: '3des' });
    const path = join(scratch, 'legacy.p12');
    await writeFile(path, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    const contents = readPkcs12(await readFile(path), 'ancien');
    expect(contents.chain.map((c) => c.raw.toString('base64'))).toEqual(
      credential.chainPem.map((pem) => pem.replace(/-----[A-Z ]+-----|\s/g, '')),
    );
    const signer = await Pkcs12Signer.fromFile(path, 'ancien');
    expect(verifySignature(credential.certificatePem, data, await signer.sign(data))).toBe(true);
  });

  it('signs for the XML signature layer like the PEM signer does', async () => {
    const credential = pki.structure.insiAuto;
    const signer: Signer = await Pkcs12Signer.fromFile(credential.paths.pkcs12, pki.pkcs12Passphrase);
    await expect(signedAndVerified(signer)).resolves.toBe(credential.certificatePem.replace(/\r?\n/g, ''));
  });

  it('completes a chain the file lacks with extra CA certificates', async () => {
    const credential = pki.structure.insiManu;
    const bare = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(credential.privateKeyPem),
      [forge.pki.certificateFromPem(credential.certificatePem)],
      'x',
      { algorithm: 'aes256' },
    );
    const buffer = Buffer.from(forge.asn1.toDer(bare).getBytes(), 'binary');
    expect(await Pkcs12Signer.fromBuffer(buffer, 'x').certificateChain()).toEqual([credential.certificatePem]);
    const completed = Pkcs12Signer.fromBuffer(buffer, 'x', { extraCertificates: [pki.caBundlePem.join('')] });
    expect(await completed.certificateChain()).toEqual(credential.chainPem);
  });
});
