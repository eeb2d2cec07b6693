/**
 * describeCertificate on the IGC-Santé test certificates embedded in the official DMP example
 * messages (shared/reference/dmp/examples): the shapes the demo PKI mirrors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites, hasReference, referenceDir } from '../../../fixtures/testing/tier';
import { describeCertificate } from './certificates';

function firstCertificate(file: string): string {
  const xml = readFileSync(join(referenceDir() as string, 'dmp', 'examples', file), 'utf8');
  const match = /X509Certificate>([^<]+)</.exec(xml);
  if (!match?.[1]) throw new Error(`no certificate in ${file}`);
  return match[1].replace(/\s+/g, '');
}

describeWithPrerequisites('conformance', hasReference, 'IGC-Santé certificates of the official examples', () => {
  it('reads the practitioner signature certificate of the TD2.1 XAdES example', () => {
    const d = describeCertificate(firstCertificate('TD2.1-SignatureXades.xml'));
    expect(d.subject.map((rdn) => rdn.map((attribute) => attribute.type).sort())).toEqual([['C'], ['title'], ['CN', 'GN', 'SN']]);
    expect(d.subjectValue('title')).toBe('Médecin');
    expect(d.subjectValue('GN')).toBe('MAX');
    expect(d.subjectValue('SN')).toBe('LIBRE');
    expect(d.subjectValue('CN')).toBe('899900063480');
    expect(d.issuerCommonName).toBe('TEST AC IGC-SANTE ELEMENTAIRE PERSONNES');
    expect(d.keyUsage).toEqual(['nonRepudiation']);
    expect(d.extendedKeyUsage).toEqual(['emailProtection']);
    expect(d.isCa).toBe(false);
    // A personal software certificate: TRE_G01 0x83, profession 10 and specialty SM26 inside.
    expect(d.igcSante).toEqual({ productCategory: 0x83, productType: null, cardNumber: null, professionCode: '10', specialtyCode: 'SM26' });
  });

  it('reads the structure certificate of the indirect-renforcée VIHF example', () => {
    const d = describeCertificate(firstCertificate('Exemples_Jeton_VIHF/VIHF_INDIRECTE_RENFORCEE_signe.xml'));
    expect(d.subjectValue('O')).toBe('CENTRE DE SANTE RPPS12718');
    expect(d.subjectValue('OU')).toBe('10B0127189');
    expect(d.subjectValue('CN')).toBe('Certificat Wizard DMP 2019-R2');
    expect(d.subjectValue('ST')).toBe('Rhône (69)');
    expect(d.issuerCommonName).toBe('TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS');
    expect(d.keyUsage).toEqual(['digitalSignature']);
    expect(d.extendedKeyUsage).toEqual(['clientAuth']);
    expect(d.igcSante.productCategory).toBe(0x83);
  });

  it('reads the ORG SIGN certificate of the indirect VIHF example', () => {
    const d = describeCertificate(firstCertificate('Exemples_Jeton_VIHF/VIHF_INDIRECTE_signe.xml'));
    expect(d.subjectValue('CN')).toBe('serviceps.sesam-vitale.fr');
    expect(d.subjectValues('OU')).toEqual(['339172288100052']);
    expect(d.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(d.extendedKeyUsage).toEqual(['emailProtection']);
    expect(d.igcSante).toEqual({ productCategory: 0x83, productType: null, cardNumber: null, professionCode: null, specialtyCode: null });
  });
});
