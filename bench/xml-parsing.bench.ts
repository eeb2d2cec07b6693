/**
 * Safe XML parsing and CDA validation (issue 14 points 1 and 5).
 * - What the streaming markup pass adds to a parse (baseline: @xmldom/xmldom alone, same run), on
 *   a 1.3 MB CDA N1 (the DMP bulk-sending document) and the official IPS-FR example; saxes, the
 *   streaming parser we measured for this pass, on the same input.
 * - Refusing hostile input: a 16 MB deeply nested, a 16 MB dense document, before any tree.
 * - XSD validation of the official CDA examples against CDA_extended.xsd: in-process (libxml2 in
 *   WebAssembly, schema compiled once) against `xmllint --schema` in a child process per document
 *   (the previous implementation), same run.
 * Median of 9 runs after warm-up. Prints a markdown section on stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DOMParser } from '@xmldom/xmldom';
import { SaxesParser } from 'saxes';
import { referenceDir } from '../fixtures/testing/tier';
import { parseXml, scanXml, xsdValidator } from '../electron/platform/xml';
import { buildPdfDocument } from '../electron/services/cda';
import { sampleInput, sequentialOids } from '../electron/services/cda/test-input';

const RUNS = 9;
const load = loadavg()[0]?.toFixed(1) ?? '?';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(fn: () => unknown, runs = RUNS): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));

function saxesScan(text: string): void {
  const parser = new SaxesParser({ xmlns: true });
  let depth = 0;
  parser.on('opentag', () => depth++);
  parser.on('closetag', () => depth--);
  parser.write(text).close();
}

const reference = referenceDir();
const pdf = Buffer.alloc(1024 * 1024, 0x41);
pdf.write('%PDF-1.4\n', 0);
const n1 = buildPdfDocument(sampleInput({ pdf }), sequentialOids()).xml;
const inputs: Array<[string, string]> = [['CDA N1, 1 MB PDF', n1]];
if (reference !== null) inputs.push(['IPS-FR (official example)', readFileSync(join(reference, 'cda', 'examples', 'IPS-FR_2024.01.xml'), 'utf8')]);

const lines: string[] = [
  '## Safe XML parsing and CDA validation (bench/xml-parsing.bench.ts)',
  '',
  `Median of ${RUNS} runs after warm-up; load average ${load} (shared machine).`,
  '',
  '| input | size | xmldom alone (baseline) | markup pass | parseXml (pass + xmldom + tree check) | ratio parseXml / xmldom | saxes on the same text |',
  '|---|---|---|---|---|---|---|',
];
for (const [label, text] of inputs) {
  const xmldom = time(() => new DOMParser({ locator: true }).parseFromString(text, 'text/xml'));
  const scan = time(() => scanXml(text, { maxTreeBytes: Number.MAX_SAFE_INTEGER }));
  const parse = time(() => parseXml(text));
  const saxes = time(() => saxesScan(text));
  lines.push(`| ${label} | ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB | ${ms(xmldom)} ms | ${ms(scan)} ms | ${ms(parse)} ms | ${(parse / xmldom).toFixed(2)}× | ${ms(saxes)} ms |`);
}

const deep = `<ClinicalDocument xmlns="urn:hl7-org:v3">${'<component>'.repeat(1_400_000)}`;
const dense = `<r>${'<a/>'.repeat(4_000_000)}</r>`;
const refusal = (text: string): { ms: number; code: string } => {
  let code = '';
  const duration = time(() => {
    try {
      parseXml(text, { maxBytes: 32 * 1024 * 1024 });
    } catch (error) {
      code = (error as { code: string }).code;
    }
  }, 3);
  return { ms: duration, code };
};
const deepRefusal = refusal(deep);
const denseRefusal = refusal(dense);
// Before: the tree was built first. Measured on 1 MB of the dense shape only (16 MB needs GBs).
const denseSmall = `<r>${'<a/>'.repeat(250_000)}</r>`;
const builtBefore = time(() => new DOMParser().parseFromString(denseSmall, 'text/xml'), 1);
lines.push(
  '',
  '| hostile input | refused as | time to refuse | before: tree built first |',
  '|---|---|---|---|',
  `| 16 MB nested \`<component>\` | ${deepRefusal.code} | ${ms(deepRefusal.ms)} ms | 28 s and 3.5 GB (issue 14) |`,
  `| 16 MB of \`<a/>\` | ${denseRefusal.code} | ${ms(denseRefusal.ms)} ms | ${ms(builtBefore)} ms for 1 MB of it (×16 for the whole, ~200 bytes of tree per input byte) |`,
);

if (reference !== null) {
  const xsd = join(reference, 'cda', 'infrastructure', 'cda', 'CDA_extended.xsd');
  const compileStarted = performance.now();
  const validator = await xsdValidator(xsd);
  const compileMs = performance.now() - compileStarted;
  const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;
  lines.push(
    '',
    `XSD validation against CDA_extended.xsd; in-process schema compilation, once per process: ${compileMs.toFixed(0)} ms.`,
    '',
    '| official example | size | in-process (libxml2 WebAssembly) | `xmllint --schema` per document (baseline) | ratio |',
    '|---|---|---|---|---|',
  );
  const examples = join(reference, 'cda', 'examples');
  for (const name of readdirSync(examples).filter((n) => n.endsWith('.xml')).sort()) {
    const bytes = readFileSync(join(examples, name));
    let valid = false;
    const wasm = time(() => (valid = validator.validate(bytes).valid));
    const child = hasXmllint && existsSync(xsd) ? time(() => spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, '-'], { input: bytes }), 5) : Number.NaN;
    lines.push(`| ${name}${valid ? '' : ' (invalid!)'} | ${(bytes.length / 1e3).toFixed(0)} KB | ${ms(wasm)} ms | ${Number.isNaN(child) ? 'xmllint absent' : `${ms(child)} ms`} | ${Number.isNaN(child) ? '-' : `${(child / wasm).toFixed(0)}× faster`} |`);
  }
}

process.stdout.write(`${lines.join('\n')}\n`);
