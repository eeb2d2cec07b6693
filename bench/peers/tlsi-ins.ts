/**
 * padoa/tlsi-ins (MIT), the public Node client of the INSi teleservice, built from its own sources
 * at a pinned commit, at run time, for the side-by-side CPU measure of bench/insi.bench.ts.
 * Nothing of it is kept in this repository: the bench clones it into a temporary folder, installs
 * its locked dependencies (`npm ci`, from the npm registry) and runs its own `npm run build`.
 *
 * Source: `BENCH_TLSI_INS_GIT` (a git URL or a local clone), https://github.com/padoa/tlsi-ins.git
 * by default. The build is kept in the system temporary folder, per commit, for later runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** 5.0.3, « [Security] Bump node-forge to ^1.4.0 (#52) », 2026-06-19. */
export const TLSI_INS_COMMIT = '12ef794a663bc6c30fd430b6cdeaa8b47daeb765';
export const TLSI_INS_VERSION = '5.0.3';

export type TlsiInsBuild = { ok: true; dir: string; source: string; require: NodeJS.Require } | { ok: false; source: string; reason: string };

function run(command: string, args: string[], cwd: string): string | null {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 });
  if (result.status === 0) return null;
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-6).join(' / ');
  return `\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}): ${output}`;
}

export function buildTlsiIns(): TlsiInsBuild {
  const source = process.env.BENCH_TLSI_INS_GIT ?? 'https://github.com/padoa/tlsi-ins.git';
  const dir = join(tmpdir(), `pupitre-bench-tlsi-ins-${TLSI_INS_COMMIT.slice(0, 12)}`);
  const done = join(dir, '.pupitre-bench-built');
  if (!existsSync(done)) {
    const staging = `${dir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const failure =
      run('git', ['clone', '--quiet', '--no-checkout', source, staging], tmpdir()) ??
      run('git', ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', TLSI_INS_COMMIT], staging) ??
      // Locked dependencies, no install scripts (all of them are plain JavaScript).
      run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], staging) ??
      // Its own build: `rm -rf dist && tsc && cp -r src/wsdl dist/` (the committed dist/ is rebuilt).
      run('npm', ['run', 'build'], staging);
    if (failure !== null) {
      rmSync(staging, { recursive: true, force: true });
      return { ok: false, source, reason: failure };
    }
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: staging, encoding: 'utf8' }).stdout.trim();
    if (head !== TLSI_INS_COMMIT) return { ok: false, source, reason: `checked out ${head}, expected ${TLSI_INS_COMMIT}` };
    writeFileSync(join(staging, '.pupitre-bench-built'), `${TLSI_INS_COMMIT}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  }
  return { ok: true, dir, source, require: createRequire(join(dir, 'package.json')) };
}

/**
 * The WS-Addressing elements the official INSi WSDL (DESIR_ICIR_EXP_1.5.0.wsdl) refers to, for
 * node-soap's download of http://www.w3.org/2006/03/addressing/ws-addr.xsd when there is no
 * Internet access (element names and types from WS-Addressing 1.0 Core, W3C Recommendation).
 */
const WS_ADDRESSING_URL = 'http://www.w3.org/2006/03/addressing/ws-addr.xsd';
const WS_ADDRESSING_ELEMENTS = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:wsa="http://www.w3.org/2005/08/addressing"
  targetNamespace="http://www.w3.org/2005/08/addressing" elementFormDefault="qualified">
  <xs:complexType name="AttributedURIType"><xs:simpleContent><xs:extension base="xs:anyURI"><xs:anyAttribute namespace="##other" processContents="lax"/></xs:extension></xs:simpleContent></xs:complexType>
  <xs:element name="MessageID" type="wsa:AttributedURIType"/>
  <xs:element name="Action" type="wsa:AttributedURIType"/>
  <xs:element name="To" type="wsa:AttributedURIType"/>
</xs:schema>`;

export interface TlsiInsInputs {
  pkcs12: Buffer;
  passphrase: string;
  /** A signed assertion PS, as text (tlsi-ins does not sign: it inserts what it is given). */
  assertionPs: string;
  /** The SOAP 1.2 answer every call gets without network. */
  response: string;
  lps: { idam: string; name: string; version: string; instance: string };
  person: { birthName: string; firstName: string; gender: string; dateOfBirth: string };
  /** The simulator, and the CA that issued its certificate (instead of IGC-Santé's). */
  online: { url: string; ca: string[] };
  cpuMs(run: () => Promise<unknown>, n?: number): Promise<number>;
  netCalls: number;
}

export interface TlsiInsFigures {
  offline: { structure: number; card: number };
  online: { structure: number; card: number };
  results: string;
}

/** CPU per `fetchIns` of one person (one call), in structure (PFX) and card (CPX) modes. */
export async function measureTlsiIns(load: NodeJS.Require, inputs: TlsiInsInputs): Promise<TlsiInsFigures> {
  const soapHttp = load('soap').HttpClient;
  const originalRequest = soapHttp.prototype.request;
  soapHttp.prototype.request = function (this: unknown, url: string, data: unknown, callback: (error: unknown, response: unknown, body: unknown) => void, ...rest: unknown[]) {
    if (url === WS_ADDRESSING_URL) return callback(null, { status: 200, data: WS_ADDRESSING_ELEMENTS }, WS_ADDRESSING_ELEMENTS);
    return originalRequest.call(this, url, data, callback, ...rest);
  };
  const tlsi = load('./dist/index.js');
  const lps = new tlsi.LPS({ idam: inputs.lps.idam, version: inputs.lps.version, name: inputs.lps.name, id: inputs.lps.instance });
  const newClient = () => new tlsi.INSiClient({ lpsContext: new tlsi.LpsContext({ emitter: '10B9990001', lps }), bamContext: new tlsi.BamContext({ emitter: '10B9990001' }) });
  const clients = async (url: string) => {
    const structure = newClient();
    await structure.initClientPfx(inputs.pkcs12, inputs.passphrase, url);
    const card = newClient();
    await card.initClientCpx(inputs.assertionPs, url);
    return { structure, card };
  };
  // Without network: node-soap's HTTP client gets the answer from here (its `_request` is the
  // axios instance it would send through).
  const offline = await clients('https://insi.invalid/lps');
  for (const client of [offline.structure, offline.card]) {
    client._httpClient._request = async () => ({ status: 200, headers: { 'content-type': 'application/soap+xml;charset=UTF-8' }, data: inputs.response });
  }
  // Over HTTPS: the simulator's certificate is issued by the demo CA; its security classes keep
  // the TLS options (`defaults`, `defaultOptions`) they give each request's new https.Agent.
  const online = await clients(inputs.online.url);
  online.structure._soapClient.security.defaults.ca = inputs.online.ca;
  online.card._soapClient.security.defaultOptions.ca = inputs.online.ca;

  const person = new tlsi.INSiPerson(inputs.person);
  let results = '';
  for (const client of [offline.structure, offline.card, online.structure, online.card]) {
    const check = await client.fetchIns(person);
    const found = check.successRequest?.response?.formatted as { registrationNumber?: string; birthName?: string } | undefined;
    if (found?.registrationNumber === undefined) throw new Error(`tlsi-ins did not get the identity: ${JSON.stringify(check).slice(0, 400)}`);
    results = `${found.birthName} ${found.registrationNumber}`;
  }
  return {
    offline: { structure: await inputs.cpuMs(() => offline.structure.fetchIns(person)), card: await inputs.cpuMs(() => offline.card.fetchIns(person)) },
    online: {
      structure: await inputs.cpuMs(() => online.structure.fetchIns(person), inputs.netCalls),
      card: await inputs.cpuMs(() => online.card.fetchIns(person), inputs.netCalls),
    },
    results,
  };
}
