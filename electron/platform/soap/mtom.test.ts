import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml, xmlNamespace } from '../xml';
import { SoapError } from './envelope';
import {
  buildMtomMessage,
  newContentId,
  parseMediaType,
  parseMtomMessage,
  parseMultipartRelated,
  parseMultipartWithBoundary,
  readBinaryContent,
  xopInclude,
} from './mtom';

const xds = xmlNamespace('urn:ihe:iti:xds-b:2007', 'xds');

function split(buffer: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(buffer.subarray(last, p));
    last = p;
  }
  out.push(buffer.subarray(last));
  return out;
}

async function* stream(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SoapError);
    return { code: (error as SoapError).code, reason: (error as SoapError).details?.reason };
  }
  throw new Error('expected a SoapError');
}

describe('MTOM / XOP', () => {
  it('builds an MTOM request whose parts are the documents themselves, and parses it back', async () => {
    const document = Buffer.from('%PDF-1.7\r\n--MIMEBoundary_fake\r\nbinary \x00\xff end', 'latin1');
    const signature = Buffer.from('<Signature/>');
    const docId = newContentId();
    const sigId = newContentId();
    const envelope = serializeXml(xds.el('ProvideAndRegisterDocumentSetRequest', xds.el('Document', xopInclude(docId)), xds.el('Document', xopInclude(sigId))));
    const message = buildMtomMessage({
      envelope,
      action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
      attachments: [
        { contentId: docId, contentType: 'text/xml', data: document },
        { contentId: sigId, data: signature },
      ],
    });
    expect(message.chunks).toContain(document); // the same buffer, not a copy
    expect(message.contentLength).toBe(Buffer.concat([...message.chunks]).length);
    const media = parseMediaType(message.contentType);
    expect(media.type).toBe('multipart/related');
    expect(media.params).toMatchObject({ type: 'application/xop+xml', 'start-info': 'application/soap+xml', action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b' });

    const parsed = await parseMtomMessage(message.contentType, stream([...message.chunks]));
    expect(parsed.root.data.toString()).toBe(envelope);
    expect(parsed.root.contentType).toBe('application/xop+xml; charset=UTF-8; type="application/soap+xml"; action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"');
    const root = parseXml(parsed.root.data).documentElement;
    const documents = root?.getElementsByTagNameNS('urn:ihe:iti:xds-b:2007', 'Document');
    expect(readBinaryContent(documents?.item(0) as never, parsed.attachments).equals(document)).toBe(true);
    expect(readBinaryContent(documents?.item(1) as never, parsed.attachments).equals(signature)).toBe(true);
    expect(parsed.attachments.get(docId)?.contentType).toBe('text/xml');
  });

  it('parses any message whatever the chunking (property)', async () => {
    // Part contents full of line breaks, dashes and near-boundaries.
    const tricky = fc
      .array(fc.oneof(fc.constantFrom('\r', '\n', '\r\n', '--', '-', '-b0undary', '--b0undar', '\r\n--b0undar', '\r\n--b0undarz\r\n', 'b0undary--', 'x'), fc.string({ maxLength: 5 })), { maxLength: 30 })
      .map((parts) => Buffer.from(parts.join(''), 'latin1'))
      // RFC 2046: the boundary itself never occurs in a part (the builder refuses it).
      .filter((data) => !data.includes('--b0undary'));
    await fc.assert(
      fc.asyncProperty(fc.array(tricky, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 }), async (datas, cuts) => {
        const ids = datas.map((_, i) => `part${i}@test`);
        const message = buildMtomMessage({
          envelope: '<e/>',
          attachments: datas.map((data, i) => ({ contentId: ids[i] as string, data })),
          boundary: 'b0undary',
          rootContentId: 'root@test',
        });
        const whole = Buffer.concat([...message.chunks]);
        const parsed = await parseMultipartRelated(message.contentType, stream(split(whole, cuts)));
        expect(parsed.parts.map((p) => p.contentId)).toEqual(['root@test', ...ids]);
        parsed.parts.slice(1).forEach((part, i) => expect(part.data.equals(datas[i] as Buffer)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts bare line feeds, a preamble, transport padding, base64 parts and no start parameter', async () => {
    const body = Buffer.from(
      'preamble text\n--sep  \nContent-Type: application/xop+xml\nContent-ID: <r@x>\n\n<root/>\n--sep\n' +
        'Content-ID: <b@x>\nContent-Transfer-Encoding: base64\n\naGVsbG8g\nd29ybGQ=\n--sep--\nepilogue',
    );
    const parsed = await parseMultipartRelated('Multipart/Related; boundary=sep; type="application/xop+xml"', body);
    expect(parsed.parts[0]?.data.toString()).toBe('<root/>');
    expect(parsed.parts[1]?.data.toString()).toBe('hello world');
    expect(parsed.start).toBeNull();
  });

  it('refuses truncated and oversized messages', async () => {
    const message = buildMtomMessage({ envelope: '<e/>', attachments: [{ contentId: 'a@x', data: Buffer.alloc(5000, 1) }], boundary: 'B' });
    const whole = Buffer.concat([...message.chunks]);
    expect(await failure(parseMultipartRelated(message.contentType, whole.subarray(0, whole.length - 10)))).toEqual({
      code: 'MTOM_MALFORMED',
      reason: 'truncated',
    });
    expect((await failure(parseMultipartRelated(message.contentType, whole, { maxPartBytes: 1000 }))).reason).toBe('part-too-large');
    expect((await failure(parseMultipartRelated(message.contentType, whole, { maxParts: 1 }))).reason).toBe('too-many-parts');
    expect((await failure(parseMultipartRelated(message.contentType, whole, { maxTotalBytes: 4000 }))).reason).toBe('message-too-large');
    expect((await failure(parseMultipartWithBoundary('B', Buffer.alloc(100_000, 0x61)))).reason).toBe('preamble-too-large');
    const hugeHeader = Buffer.from(`--B\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\ndata\r\n--B--`);
    expect((await failure(parseMultipartWithBoundary('B', hugeHeader))).reason).toBe('part-headers-too-large');
    expect((await failure(parseMultipartRelated('multipart/related; type="application/xop+xml"', whole))).reason).toBe('no-boundary');
    expect((await failure(parseMultipartRelated('text/xml', whole))).reason).toBe('not-multipart-related');
  });

  it('resolves percent-encoded cid references, and reports a missing part', () => {
    const doc = parseXml(
      '<Document xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:b857abb7-2@urn%3Aihe%3Aiti%3Axds-b%3A2007"/></Document>',
    );
    const element = doc.documentElement as never;
    const part = { headers: {}, contentId: 'b857abb7-2@urn:ihe:iti:xds-b:2007', contentType: 'text/xml', data: Buffer.from('<cda/>') };
    expect(readBinaryContent(element, new Map([[part.contentId, part]])).toString()).toBe('<cda/>');
    expect(() => readBinaryContent(element, new Map())).toThrow(SoapError);
    const inline = parseXml('<Document>PGNkYS8+</Document>').documentElement as never;
    expect(readBinaryContent(inline, new Map()).toString()).toBe('<cda/>');
    expect(() => readBinaryContent(parseXml('<Document>!!</Document>').documentElement as never, new Map())).toThrow(SoapError);
  });

  it('parses Content-Type parameters with quoted strings', () => {
    expect(parseMediaType('multipart/related; boundary="a b;c"; start="<root>"; start-info="application/soap+xml; action=\\"urn:x\\""')).toEqual({
      type: 'multipart/related',
      params: { boundary: 'a b;c', start: '<root>', 'start-info': 'application/soap+xml; action="urn:x"' },
    });
    expect(() => parseMediaType('garbage')).toThrow(SoapError);
    expect(() => xopInclude('bad id with spaces')).toThrow(TypeError);
    expect(() => buildMtomMessage({ envelope: '<e>--B</e>', attachments: [], boundary: 'B' })).toThrow(TypeError);
  });
});
