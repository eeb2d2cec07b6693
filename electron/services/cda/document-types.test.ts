import { describe, expect, it } from 'vitest';
import { documentTypes, documentTypesSource } from './document-types';
import { VALUE_SETS } from './value-sets';

describe('documentTypes', () => {
  it('offers the JDV_J07 types a practitioner sends, sorted by label', () => {
    const types = documentTypes();
    const codes = types.map((t) => t.code);
    expect(codes).toContain('11488-4');
    expect(codes).toContain('60591-5');
    expect(codes).not.toContain('E1762');
    expect(codes.some((c) => c.startsWith('DOCPAT'))).toBe(false);
    const labels = types.map((t) => t.displayName);
    expect([...labels].sort((a, b) => a.localeCompare(b, 'fr'))).toEqual(labels);
    expect(types.every((t) => t.codeSystem !== '' && t.displayName !== '')).toBe(true);
  });

  it('names its source value set and version', () => {
    expect(documentTypesSource()).toEqual({ name: 'JDV_J07_XdsTypeCode_CISIS.xml', version: VALUE_SETS.typeCode.version });
    expect(VALUE_SETS.typeCode.oid).toBe('1.2.250.1.213.1.1.5.471');
  });

  it('returns copies: callers cannot alter the list', () => {
    const first = documentTypes();
    (first[0] as { code: string }).code = 'altéré';
    expect(documentTypes()[0]?.code).not.toBe('altéré');
  });
});
