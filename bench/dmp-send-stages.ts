/**
 * Stage-by-stage cost of queueing and sending one DMP document (bench/dmp-send-host.ts): each stage
 * runs alone, on the product's own functions, over a few sample documents; the median per document
 * is reported. The end-to-end figures of the bench stay the reference; this says where they go.
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { buildMtomMessage, buildEnvelope, newContentId, parseEnvelope, parseMultipartRelated, toMtomMessage } from '../electron/platform/soap';
import { canonicalDigest, canonicalDocumentDigest, parseXml, serializeXml, signSubmissionSet, verifySubmissionSetSignature } from '../electron/platform/xml';
import { buildPdfDocument } from '../electron/services/cda';
import { buildProvideAndRegister, type DmpPractitioner } from '../electron/services/dmp';
import { makePdf } from '../fixtures/sim/dmp/pdf';
import type { DemoPki } from '../fixtures/sim/pki';
import { CRASH_PATIENT } from '../fixtures/wiring/dmp';

export interface Stage {
  name: string;
  /** Median per document, in ms. */
  ms: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function timed(samples: number, run: (i: number) => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  return median(times);
}

let oid = 0;
const newOid = (): string => `1.2.250.1.999.7.${process.pid}.${++oid}`;

/** One document as the desk builds it from a PDF of `docBytes`. */
export function sampleDocument(practitioner: DmpPractitioner, docBytes: number, i = 0): ReturnType<typeof buildPdfDocument> {
  return buildPdfDocument(
    {
      pdf: makePdf(`Document ${i}`, [], docBytes - 600),
      title: `doc-${i}`,
      typeCode: '11488-4',
      patient: { ins: CRASH_PATIENT.ins.matricule, oid: CRASH_PATIENT.ins.oid, birthName: CRASH_PATIENT.birthName, firstNames: CRASH_PATIENT.firstNames, sex: CRASH_PATIENT.sex, birthDate: '19580312' },
      author: { idNat: practitioner.idNat, given: practitioner.givenName, family: practitioner.surname, institution: { id: practitioner.structure.id, name: practitioner.structure.name } },
      custodian: { id: practitioner.structure.id, name: practitioner.structure.name },
      serviceTime: { start: '20261207090000' },
      effectiveTime: '20261207090000',
    },
    { newOid },
  );
}

export async function sendStages(input: { pki: DemoPki; practitioner: DmpPractitioner; docBytes: number; samples: number }): Promise<Stage[]> {
  const { practitioner, samples } = input;
  const stages: Stage[] = [];
  stages.push({ name: 'PDF made by the bench (not counted in queueing)', ms: await timed(samples, (i) => makePdf(`Document ${i}`, [], input.docBytes - 600)) });
  const built = sampleDocument(practitioner, input.docBytes);
  stages.push({ name: 'queue: CDA N1 build (base64, serialisation, metadata from the model, SHA-1 + canonical digest)', ms: await timed(samples, (i) => sampleDocument(practitioner, input.docBytes, i)) });
  const content = Buffer.from(built.xml, 'utf8');
  const sign = (digests: boolean): Promise<string> =>
    signSubmissionSet({
      signer: practitioner.signer,
      signatureId: randomUUID(),
      submissionSetUniqueId: newOid(),
      documents: [{ uniqueId: built.metadata.uniqueId, content, xml: true, ...(digests && built.canonicalDigest !== undefined ? { canonicalDigest: built.canonicalDigest } : {}) }],
      signingTime: Date.now(),
    });
  stages.push({ name: 'send: XAdES of the submission set, CDA canonicalised and digested at send time', ms: await timed(samples, () => sign(false)) });
  stages.push({ name: 'send: XAdES of the submission set, with the canonical digest computed at build', ms: await timed(samples, () => sign(true)) });
  const signature = Buffer.from(await sign(true), 'utf8');
  const mtom = (): number => {
    const contentId = newContentId();
    const body = buildProvideAndRegister({
      submissionSet: {
        uniqueId: newOid(),
        sourceId: '1.2.3',
        submissionTime: '20261207090000',
        patientId: built.metadata.sourcePatientId,
        author: built.metadata.authors[0] ?? { idNat: practitioner.idNat },
        contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' },
      },
      metadata: built.metadata,
      patientId: built.metadata.sourcePatientId,
      contentId,
      signature: { uniqueId: newOid(), contentId: newContentId(), size: signature.length, hash: createHash('sha1').update(signature).digest('hex') },
    });
    const envelope = serializeXml(buildEnvelope({ addressing: { action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', messageId: `urn:uuid:${randomUUID()}`, to: 'https://127.0.0.1/x', replyTo: true }, body }));
    message = buildMtomMessage({ envelope, attachments: [{ contentId, contentType: 'text/xml', data: content }] });
    return message.contentLength;
  };
  let message: ReturnType<typeof buildMtomMessage> | null = null;
  stages.push({ name: 'send: ITI-41 metadata + SOAP envelope + MTOM parts (no copy of the document)', ms: await timed(samples, mtom) });
  const sent = message as ReturnType<typeof buildMtomMessage> | null;
  if (sent !== null) {
    const raw = Buffer.concat(sent.chunks);
    stages.push({
      name: 'simulator: reading the ITI-41 message (MTOM parts, SOAP envelope parsed; its VIHF header not included here)',
      ms: await timed(samples, async () => parseEnvelope(toMtomMessage(await parseMultipartRelated(sent.contentType, raw)).root.data)),
    });
  }
  const anchors = [new X509Certificate(input.pki.rootCa.certificatePem)];
  const intermediates = [new X509Certificate(input.pki.personnesCa.certificatePem), new X509Certificate(input.pki.organisationsCa.certificatePem)];
  stages.push({
    name: 'simulator: XAdES verification (signature, manifest, canonical digest of the CDA)',
    ms: await timed(samples, () =>
      verifySubmissionSetSignature(signature, {
        trust: { kind: 'anchors', anchors, intermediates, at: new Date() },
        documents: new Map([[built.metadata.uniqueId, content]]),
        requireAllDocuments: true,
      }),
    ),
  });
  stages.push({
    name: 'simulator: of which the canonical digest of the CDA, read once without a DOM (c14n-stream.ts: the markup read on a Latin-1 view without the base64 run, the run checked 16 bytes at a time by WebAssembly and hashed as it is)',
    ms: await timed(samples, () => canonicalDocumentDigest(content, { withComments: true }, 'sha256')),
  });
  stages.push({
    name: 'the same with the base64 in the Latin-1 view and checked by a regular expression (before this round)',
    ms: await timed(samples, () => canonicalDocumentDigest(content, { withComments: true, longTextRunBytes: Number.POSITIVE_INFINITY }, 'sha256')),
  });
  stages.push({
    name: 'baseline in the same run: the same digest through the DOM (parseXml + c14n.ts, as before issue 15\'s last round)',
    ms: await timed(samples, () => canonicalDigest(parseXml(content), { algorithm: 'inclusive', withComments: true }, 'sha256')),
  });
  stages.push({ name: 'simulator: SHA-1 of the document (XDS hash check)', ms: await timed(samples, () => createHash('sha1').update(content).digest('hex')) });
  return stages;
}
