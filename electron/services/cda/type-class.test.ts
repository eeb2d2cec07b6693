import { describe, expect, it } from 'vitest';
import { documentTypes } from './document-types';
import { formatCodeFor } from './format-code';
import { classCodeFor } from './type-class';

describe('classCodeFor (typeCode → classCode)', () => {
  it('gives the classes the official DMPi examples state', () => {
    expect(classCodeFor('27899-4')).toEqual({ value: { code: '10', codeSystem: '1.2.250.1.213.1.1.4.1', displayName: 'Compte rendu' }, source: 'official-example' });
    expect(classCodeFor('52040-3')?.value.code).toBe('31');
    expect(classCodeFor('PROT_ALD')?.value.displayName).toBe('Plan de soins, protocole de soins');
    expect(classCodeFor('CERT_DECL')?.value.code).toBe('52');
  });

  it('covers offered types by label, and leaves the others undefined rather than guessed', () => {
    expect(classCodeFor('60591-5')).toMatchObject({ value: { code: '11' }, source: 'label' });
    expect(classCodeFor('11369-6')).toBeUndefined();
    expect(classCodeFor('inconnu')).toBeUndefined();
    const covered = documentTypes().filter((t) => classCodeFor(t.code) !== undefined);
    // 55 of the offered types get a class from ASS_X04 pairs or their label; the rest stay undefined.
    expect(covered.length).toBe(55);
  });
});

describe('formatCodeFor', () => {
  it('follows the nonXMLBody media type, then the structured profile', () => {
    expect(formatCodeFor([], 'application/pdf')?.code).toBe('urn:ihe:iti:xds-sd:pdf:2008');
    expect(formatCodeFor([], 'TEXT/PLAIN')?.code).toBe('urn:ihe:iti:xds-sd:text:2008');
    expect(formatCodeFor([], 'application/zip')).toBeUndefined();
    expect(formatCodeFor(['1.2.250.1.213.1.1.1.1', '1.2.250.1.213.1.1.1.51'], undefined)?.code).toBe('urn:ihe:pcc:ips:2020');
    expect(formatCodeFor(['1.2.250.1.213.1.1.1.37'], undefined)).toBeUndefined();
  });
});
