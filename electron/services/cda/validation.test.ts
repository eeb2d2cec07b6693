import { describe, expect, it } from 'vitest';
import { readSvrl } from './validation';

const SVRL = `<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <svrl:fired-rule context="cda:ClinicalDocument"/>
  <svrl:failed-assert test="cda:setId" location="/*:ClinicalDocument[1]" role="error"><svrl:text> setId
     manquant </svrl:text></svrl:failed-assert>
  <svrl:failed-assert test="x" location="/*:ClinicalDocument[1]/*:title[1]" role="warning"><svrl:text>titre court</svrl:text></svrl:failed-assert>
  <svrl:successful-report test="y" location="/*:ClinicalDocument[1]"><svrl:text>signalé</svrl:text></svrl:successful-report>
</svrl:schematron-output>`;

describe('readSvrl', () => {
  it('collects failed asserts and reports with their role, location and message', () => {
    const result = readSvrl(SVRL, 'test.sch');
    expect(result.failures).toEqual([
      { role: 'error', location: '/*:ClinicalDocument[1]', message: 'setId manquant' },
      { role: 'warning', location: '/*:ClinicalDocument[1]/*:title[1]', message: 'titre court' },
      { role: 'error', location: '/*:ClinicalDocument[1]', message: 'signalé' },
    ]);
    expect(result.valid).toBe(false);
    expect(result.firedRules).toBe(1);
  });

  it('is valid when only warnings remain', () => {
    const warningsOnly = SVRL.replace(/<svrl:failed-assert test="cda:setId"[\s\S]*?<\/svrl:failed-assert>/, '').replace(/<svrl:successful-report[\s\S]*?<\/svrl:successful-report>/, '');
    expect(readSvrl(warningsOnly, 'test.sch')).toMatchObject({ valid: true, failures: [{ role: 'warning' }] });
  });
});
