/**
 * Issue 14 point 9: a teleservice's own fault text is not echoed into the UI or the logs — it can
 * carry identities (the traits of the request, a name in a free-text reason). INSi and DMP faults
 * become their French message and sanitised codes; the text stays out of errors, details and logs.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../contract';
import { createManualClock } from '../platform/clock';
import { createMemoryLogger } from '../platform/log';
import { parseEnvelope, serializeEnvelope, SoapFaultError, soapNs } from '../platform/soap';
import { attr, xmlNamespace, xmlNs } from '../platform/xml';
import { dmpFaultError } from '../services/dmp';
import { INSI_NS, parseInsiResponse } from '../services/insi';
import { describeError } from '../services/outbox';

const IDENTITY = ['DUPONT', 'Jean-Pierre', '1950-02-01', '01/02/1950', '1500263113017'];

function fault(subcode: string, reason: string, detail?: ReturnType<typeof soapNs.el>): string {
  return serializeEnvelope({
    declare: [soapNs],
    body: soapNs.el(
      'Fault',
      soapNs.el('Code', soapNs.el('Value', soapNs.qname('Sender')), soapNs.el('Subcode', soapNs.el('Value', subcode))),
      soapNs.el('Reason', soapNs.el('Text', xmlNs.attr('lang', 'fr'), reason)),
      ...(detail === undefined ? [] : [soapNs.el('Detail', detail)]),
    ),
  });
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** Everything of an error that can reach the UI (wire form) and the logs (a logged error). */
function everythingSaid(error: AppError): string {
  const logger = createMemoryLogger(createManualClock());
  logger.error('call.failed', { error, code: error.code, details: error.details });
  return `${JSON.stringify(error.toWire())}\n${logger.lines.join('\n')}\n${JSON.stringify(describeError(error))}`;
}

describe('teleservice fault texts stay out of messages, details and logs', () => {
  const reason = 'Aucune identité trouvée pour DUPONT Jean-Pierre né le 01/02/1950 (NIR 1500263113017).';

  it('INSi: French message from the code, codes kept, the service text dropped', () => {
    const siram = xmlNamespace(INSI_NS.siram, 'siram');
    const response = fault('siram:siram_10', reason, siram.el('Erreur', attr('code', 'insi_19'), attr('severite', 'erreur'), `Nom de naissance DUPONT refusé`));
    const error = caught(() => parseInsiResponse(response.replace('<soap:Envelope', `<soap:Envelope xmlns:siram="${INSI_NS.siram}"`)));
    expect(error.code).toBe('INSI_REQUEST_REJECTED');
    expect(error.details).toMatchObject({ subcodes: ['siram_10'], detailCode: 'insi_19', severity: 'erreur' });
    const said = everythingSaid(error);
    for (const piece of [...IDENTITY, 'Aucune identité', 'Nom de naissance DUPONT']) expect(said).not.toContain(piece);
  });

  it('INSi: a code that is not a code (a sentence, an identity) is not echoed either', () => {
    const siram = xmlNamespace(INSI_NS.siram, 'siram');
    const response = fault('siram:siram_40', reason, siram.el('Erreur', attr('code', 'DUPONT Jean-Pierre 01/02/1950'), attr('severite', 'Jean-Pierre'), 'x'));
    const error = caught(() => parseInsiResponse(response.replace('<soap:Envelope', `<soap:Envelope xmlns:siram="${INSI_NS.siram}"`)));
    expect(error.details).toMatchObject({ detailCode: 'non-standard', severity: 'non-standard' });
    const said = everythingSaid(error);
    for (const piece of IDENTITY) expect(said).not.toContain(piece);
  });

  it('DMP: French message from the subcode, the DMP text dropped, no fault kept as a cause', () => {
    const envelope = parseEnvelope(fault('DMPAccessDeniedByRights', `Le patient DUPONT Jean-Pierre (01/02/1950) s'oppose à l'accès`));
    const error = dmpFaultError(new SoapFaultError(envelope.fault as NonNullable<typeof envelope.fault>, 500));
    expect(error.code).toBe('DMP_FORBIDDEN_BY_RIGHTS');
    expect(error.details).toEqual({ fault: 'DMPAccessDeniedByRights' });
    expect(error.cause).toBeUndefined();
    const said = everythingSaid(error);
    for (const piece of [...IDENTITY, "s'oppose"]) expect(said).not.toContain(piece);
    const odd = parseEnvelope(fault('DUPONT_Jean-Pierre_1950-02-01_avec_une_tres_longue_valeur_qui_ne_ressemble_a_aucun_code_connu', 'x'));
    const unknown = dmpFaultError(new SoapFaultError(odd.fault as NonNullable<typeof odd.fault>, 400));
    expect(unknown.code).toBe('DMP_REJECTED');
    expect(JSON.stringify(unknown.toWire())).not.toContain('DUPONT');
  });

  it('SOAP: a generic fault error keeps sanitised codes only', () => {
    const envelope = parseEnvelope(fault('Nom DUPONT inconnu', reason));
    const error = new SoapFaultError(envelope.fault as NonNullable<typeof envelope.fault>, 400);
    expect(error.details).toEqual({ faultCode: 'Sender', subcodes: ['non-standard'], httpStatus: 400 });
    const said = everythingSaid(error);
    for (const piece of IDENTITY) expect(said).not.toContain(piece);
  });
});
