import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEnvelope, serializeEnvelope, soapNs } from '../../platform/soap';
import { attr, serializeXml, xmlNamespace, xmlNs } from '../../platform/xml';
import { computeMatriculeKey } from '../identity';
import { INSI_NS } from './request';
import { faultCode, parseInsiResponse } from './response';

const res = xmlNamespace(INSI_NS.resultat, 'r');

const numberArb = fc
  .tuple(fc.constantFrom('1', '2'), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('63', '75', '2A', '2B', '99'), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 999 }))
  .map(([s, y, m, d, c, o]) => `${s}${String(y).padStart(2, '0')}${String(m).padStart(2, '0')}${d}${String(c).padStart(3, '0')}${String(o).padStart(3, '0')}`);
const nameArb = fc.stringMatching(/^[A-Z]{1,12}(?:[ '-][A-Z]{1,10}){0,2}$/);
const dateArb = fc.tuple(fc.integer({ min: 1900, max: 2025 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 28 })).map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

function ins(local: string, number: string, key: string, oid: string) {
  return res.el(local, res.el('IdIndividu', res.el('NumIdentifiant', number), res.el('Cle', key)), res.el('OID', oid));
}

describe('RESULTAT parser', () => {
  it('reads back any well-formed 00 answer: INS, key check, history, traits (property)', () => {
    fc.assert(
      fc.property(numberArb, fc.array(numberArb, { maxLength: 3 }), nameArb, fc.array(fc.stringMatching(/^[A-Z]{2,10}(?:-[A-Z]{2,8})?$/), { minLength: 1, maxLength: 3 }), fc.constantFrom('M', 'F'), dateArb, fc.option(fc.constantFrom('63220', '2A020', '99134'), { nil: null }), fc.boolean(), (number, history, name, given, sex, date, place, corruptKey) => {
        const key = corruptKey ? String((Number(computeMatriculeKey(number)) % 97) + 1).padStart(2, '0') : computeMatriculeKey(number);
        const xml = serializeEnvelope({
          body: res.el(
            'RESULTAT',
            res.el('CR', res.el('CodeCR', '00'), res.el('LibelleCR', 'OK')),
            res.el(
              'INDIVIDU',
              ins('INSACTIF', number, key, '1.2.250.1.213.1.4.10'),
              history.map((h) => ins('INSHISTO', h, computeMatriculeKey(h), '1.2.250.1.213.1.4.10')),
              res.el('TIQ', res.el('NomNaissance', name), res.el('ListePrenom', given.join(' ')), res.el('Sexe', sex), res.el('DateNaissance', date), place === null ? null : res.el('LieuNaissance', place)),
            ),
          ),
        });
        const result = parseInsiResponse(xml);
        expect(result.identity?.active).toMatchObject({ number, key, matricule: number + key, kind: 'TEST', keyValid: key === computeMatriculeKey(number) });
        expect(result.identity?.history.map((h) => h.number)).toEqual(history);
        expect(result.identity?.traits).toEqual({ birthName: name, birthGivenNames: given.join(' '), firstGivenName: given[0], sex, birthDate: date, birthPlaceCode: place });
      }),
      { numRuns: 200 },
    );
  });

  it('reads 01 and 02 without an identity, and a bare RESULTAT saved without envelope', () => {
    const bare = (code: string, label: string) => serializeXml(res.el('RESULTAT', res.el('CR', res.el('CodeCR', code), res.el('LibelleCR', label))));
    expect(parseInsiResponse(bare('01', 'Aucune identite trouvee'))).toEqual({ code: '01', label: 'Aucune identite trouvee', identity: null });
    expect(parseInsiResponse(serializeXml(buildEnvelope({ body: res.el('RESULTAT', res.el('CR', res.el('CodeCR', '02'), res.el('LibelleCR', 'Plusieurs identites trouvees'))) })))).toMatchObject({ code: '02', identity: null });
  });

  it('refuses an unknown CodeCR, a 00 without INDIVIDU, and a bad sex', () => {
    const cr = (code: string, individu: unknown = null) => serializeXml(res.el('RESULTAT', res.el('CR', res.el('CodeCR', code), res.el('LibelleCR', 'x')), individu as never));
    expect(() => parseInsiResponse(cr('03'))).toThrow(expect.objectContaining({ code: 'INSI_RESPONSE_INVALID' }));
    expect(() => parseInsiResponse(cr('00'))).toThrow(expect.objectContaining({ code: 'INSI_RESPONSE_INVALID', details: { reason: 'missing-INDIVIDU' } }));
    const badSex = res.el('INDIVIDU', ins('INSACTIF', '2751263220749', '74', '1.2.250.1.213.1.4.10'), res.el('TIQ', res.el('NomNaissance', 'A'), res.el('Prenom', 'B'), res.el('Sexe', 'X'), res.el('DateNaissance', '2000-01-01')));
    expect(() => parseInsiResponse(cr('00', badSex))).toThrow(expect.objectContaining({ details: { reason: 'bad-Sexe' } }));
    expect(() => parseInsiResponse('<<not xml')).toThrow(expect.objectContaining({ code: 'INSI_RESPONSE_INVALID' }));
  });

  it('turns a saved SOAP fault into the INSi error it means', () => {
    const siram = xmlNamespace(INSI_NS.siram, 'siram');
    const fault = serializeEnvelope({
      declare: [soapNs],
      body: soapNs.el(
        'Fault',
        soapNs.el('Code', soapNs.el('Value', soapNs.qname('Sender')), soapNs.el('Subcode', soapNs.el('Value', soapNs.qname('siram_100')))),
        soapNs.el('Reason', soapNs.el('Text', xmlNs.attr('lang', 'fr'), "L'accès par ce progiciel au service n'est pas autorisé.")),
        soapNs.el('Detail', siram.el('Erreur', attr('code', 'desir_550'), attr('severite', 'erreur'), 'Numéro d’autorisation du logiciel inconnu.')),
      ),
    });
    expect(() => parseInsiResponse(fault)).toThrow(expect.objectContaining({ code: 'INSI_SOFTWARE_NOT_AUTHORIZED', details: expect.objectContaining({ detailCode: 'desir_550', severity: 'erreur' }) }));
  });

  it('maps the known fault codes to actionable errors', () => {
    const f = (subcodes: string[], detailCode: string | null) => faultCode({ subcodes, detailCode, severity: null });
    expect(f(['siram_100'], 'desir_550')).toBe('INSI_SOFTWARE_NOT_AUTHORIZED');
    expect(f([], 'desir_560')).toBe('INSI_RIGHTS_INSUFFICIENT');
    expect(f(['siram_40'], 'desir_1020')).toBe('INSI_TEMPORARILY_UNAVAILABLE');
    expect(f(['siram_40'], 'insi_102')).toBe('INSI_TEMPORARILY_UNAVAILABLE');
    expect(f(['siram_10'], 'insi_19')).toBe('INSI_REQUEST_REJECTED');
    expect(f(['siram_999'], null)).toBe('INSI_FAULT');
  });
});
