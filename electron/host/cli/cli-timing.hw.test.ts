/**
 * Issue 13, « no silent hang »: while `pupitre serve --demo` runs on the same machine — with a
 * virtual card in the real pcscd's vpcd reader, as after a click in the Démo panel — every CLI
 * command answers or fails within 5 s with a French message, on its own data directory and on the
 * one the server uses. Before the fix, `doctor`, `patients search`, `queue status` and `dmp status`
 * waited minutes: their demo wiring probed the vpcd port (a connection the busy vpcd never
 * accepts stays in SYN-SENT) and inserted its own virtual card into the shared reader.
 *
 * Every command is a real child process (`node bin/pupitre.mjs …`), timed from spawn to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensurePcscd, pcscdMissing, VPCD_PORTS, vpcdSlotOccupied, type PcscdHandle } from '../../../fixtures/cards';
import { makePdf } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki } from '../../../fixtures/sim/pki';
import { describeWithPrerequisites, projectRoot } from '../../../fixtures/testing/tier';
import { buildPdfDocument } from '../../services/cda';
import { commands as cliCommands } from './main';

const BIN = join(projectRoot, 'bin', 'pupitre.mjs');
/**
 * The issue's figure: 5 s. Up to eight engineers share this machine's two cores, and at a load of
 * 15 even `pupitre --version` (start-up only) takes 5 s; the deadline is therefore 5 s or three
 * times the start-up time measured in the same run, whichever is larger — a hang (minutes, the bug)
 * is caught either way, a busy machine does not fail the test.
 */
const ISSUE_DEADLINE_MS = 5_000;
let DEADLINE_MS = ISSUE_DEADLINE_MS;
/** A qualified demo patient (fixtures/data/demo-patients.json) whose DMP the simulator knows. */
const INS = '258036311304224';

/** A CDA R2 N1 document from the builder (demo practitioner and a test INS). */
function sampleCda(): string {
  let n = 0;
  return buildPdfDocument(
    {
      pdf: makePdf('Compte rendu minuté'),
      title: 'Compte rendu de consultation',
      typeCode: '11488-4',
      patient: { ins: '279035121518989', oid: '1.2.250.1.213.1.4.10', birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE MARIE-LOUISE', sex: 'F', birthDate: '1979-03-28', birthPlaceCode: '51215' },
      author: { idNat: '899700123450', given: 'Jean', family: 'DEMO', role: { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' } },
      custodian: { id: '499700123450001', name: 'Cabinet du Dr Démo' },
      serviceTime: { start: '2026-11-30T09:00:00+01:00', stop: '2026-11-30T09:20:00+01:00' },
      effectiveTime: '2026-11-30T09:30:00Z',
    },
    { newOid: () => `1.2.250.1.999.42.${(n += 1)}` },
  ).xml;
}

interface Run {
  args: string[];
  code: number | null;
  ms: number;
  out: string;
  err: string;
  killed: boolean;
}

function pupitre(args: string[], deadlineMs = DEADLINE_MS): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PUPITRE_LOG_LEVEL: 'warn' } });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    child.stderr.on('data', (chunk) => (err += String(chunk)));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ args, code, ms: Math.round(performance.now() - started), out, err, killed });
    });
  });
}

/** Starts a long-running command and resolves once `ready` matches its output (or it exits). */
function startLongRunning(args: string[], ready: RegExp, timeoutMs = 60_000): Promise<{ child: ChildProcess; output: () => string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} not ready in time:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** What is wrong with one run: too slow, unexpected exit code, or text a person cannot read. */
function problemsOf(run: Run, exit: number[] | undefined): string[] {
  const name = run.args.filter((a) => !a.startsWith('/')).join(' ');
  if (run.killed) return [`${name} : toujours en cours après ${DEADLINE_MS} ms (tué)`];
  const problems: string[] = [];
  if (run.ms >= DEADLINE_MS) problems.push(`${name} : ${run.ms} ms`);
  if (exit !== undefined && !exit.includes(run.code ?? -1)) problems.push(`${name} : code de sortie ${run.code}, attendu ${exit.join(' ou ')}\n${run.out}\n${run.err}`);
  const text = `${run.out}\n${run.err}`;
  // French, no stack trace, no raw exception name.
  if (/\n\s+at .+:\d+:\d+/.test(text) || /\b(TypeError|ReferenceError|ECONNREFUSED|ETIMEDOUT|Unhandled)\b/.test(text)) problems.push(`${name} : trace technique\n${text}`);
  return problems;
}

describeWithPrerequisites('hardware', pcscdMissing, 'every CLI command answers within 5 s while `pupitre serve --demo` runs', () => {
  let pcscd: PcscdHandle;
  let server: Awaited<ReturnType<typeof startLongRunning>> | undefined;
  let card: Awaited<ReturnType<typeof startLongRunning>> | undefined;
  const serverDir = mkdtempSync(join(tmpdir(), 'pupitre-timing-serve-'));
  const files = mkdtempSync(join(tmpdir(), 'pupitre-timing-files-'));
  const pdf = join(files, 'cr.pdf');
  const cda = join(files, 'cr.xml');
  const csv = join(files, 'patients.csv');
  const insiXml = join(files, 'insi.xml');

  beforeAll(async () => {
    pcscd = await ensurePcscd();
    const startups: number[] = [];
    for (let i = 0; i < 3; i += 1) startups.push((await pupitre(['--version'], 60_000)).ms);
    const startup = startups.sort((a, b) => a - b)[1] ?? 0;
    DEADLINE_MS = Math.max(ISSUE_DEADLINE_MS, 3 * startup);
    process.stderr.write(`[cli-timing] start-up (pupitre --version, median of 3): ${startup} ms; deadline ${DEADLINE_MS} ms\n`);
    await ensureSharedTestPki();
    writeFileSync(pdf, makePdf('Compte rendu minuté'));
    writeFileSync(cda, sampleCda());
    writeFileSync(csv, 'nom;prenoms;naissance;sexe\nMARTIN;PAUL;01/02/1970;M\n');
    writeFileSync(insiXml, '<pas-une-reponse-insi/>');
    server = await startLongRunning(['serve', '--demo', '--json', '--data-dir', serverDir], /"url"/);
    // A virtual CPS in the real pcscd's first vpcd slot, held by another process (as the Démo panel does).
    card = await startLongRunning(['sim', 'cards', 'insert', 'cps-praticien', '--slot', '0'], /insérée/);
  }, 120_000);

  afterAll(async () => {
    await card?.stop();
    await server?.stop();
    await pcscd?.stop();
  });

  const commands: Array<{ args: string[]; exit?: number[] }> = [
    { args: ['--version'], exit: [0] },
    { args: ['help'], exit: [0] },
    { args: ['help', 'doctor'], exit: [0] },
    { args: ['frobnicate'], exit: [2] },
    { args: ['doctor'] },
    { args: ['settings', 'get'], exit: [0] },
    { args: ['settings', 'set', 'endpoints.insi', 'http://insi.example'], exit: [1] },
    { args: ['queue', 'status'], exit: [0] },
    { args: ['queue', 'list'], exit: [0] },
    { args: ['queue', 'sync'], exit: [0] },
    { args: ['patients', 'search', 'dupont'], exit: [0] },
    { args: ['patients', 'import', csv, '--dry-run'] },
    { args: ['dmp', 'status', INS], exit: [0] },
    { args: ['dmp', 'list', INS], exit: [0] },
    { args: ['dmp', 'send', INS, pdf, '--type', '11488-4'], exit: [0] },
    { args: ['dmp', 'metadata', cda], exit: [0] },
    { args: ['cards', 'list'] },
    { args: ['cards', 'read'] },
    { args: ['sim', 'cards', 'list'], exit: [0] },
    { args: ['ins', 'check', INS], exit: [0] },
    { args: ['ins', 'normalize', '--nom', 'Dupönt', '--prenoms', 'Marie Hélène'], exit: [0] },
    { args: ['insi', 'search', '--nom', 'DUPONT', '--prenoms', 'MARIE', '--sexe', 'F', '--naissance', '12/03/1958'] },
    { args: ['insi', 'parse', insiXml], exit: [1] },
    { args: ['dmp', 'get', INS, '1.2.250.1.999.1.1', '-o', join(files, 'get.pdf')] },
    { args: ['dmp', 'validate', cda, '--xsd-only'] },
    { args: ['apcv', 'status'], exit: [0] },
    { args: ['apcv', 'check', 'pas un QR code'] },
    { args: ['adri', 'rights', 'patient-inconnu'] },
    { args: ['eprescription', 'read', cda], exit: [1] },
    { args: ['eprescription', 'validate', cda, '--xsd-only'], exit: [1] },
    { args: ['eprescription', 'print', '123', '-o', join(files, 'ordonnance.pdf')], exit: [1] },
    { args: ['drugs', 'search', 'doliprane'], exit: [0] },
    { args: ['drugs', 'import', join(files, 'pas-de-dossier')], exit: [2] },
    { args: ['backup', 'list'] },
    { args: ['restore', join(files, 'pas-de-sauvegarde.pupitre')] },
    { args: ['scan', 'listen', '--replay', join(files, 'pas-d-enregistrement.json')], exit: [2] },
    { args: ['scan', 'decode', join(files, 'pas-d-image.png')] },
    { args: ['billing', 'sessions'] },
  ];

  it('covers every command of the CLI (a new command gets a row here)', () => {
    const label = (c: { name: string; subcommand?: string }) => (c.subcommand === undefined ? c.name : `${c.name} ${c.subcommand}`);
    const timed = new Set(commands.map((c) => c.args.slice(0, 2).join(' ')).concat(commands.map((c) => c.args[0] ?? '')));
    const missing = cliCommands.map(label).filter((name) => name !== 'serve' && !timed.has(name));
    expect(missing).toEqual([]);
  });

  it('refuses at once a virtual card into the vpcd slot another process holds, never queued behind it', async () => {
    // Checked first: commands below exchange APDUs with that card, and a slow machine can make vpcd drop it.
    expect(vpcdSlotOccupied(VPCD_PORTS[0])).toBe(true);
    const run = await pupitre(['sim', 'cards', 'insert', 'vitale-famille', '--slot', '0']);
    expect(problemsOf(run, [1])).toEqual([]);
    expect(run.out).toContain('contient déjà une carte insérée par un autre programme');
    expect(vpcdSlotOccupied(VPCD_PORTS[0])).toBe(true);
  });

  it('answers every command within 5 s on a data directory of its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-timing-own-'));
    const problems: string[] = [];
    for (const command of commands) problems.push(...problemsOf(await pupitre([...command.args, '--data-dir', dataDir]), command.exit));
    expect(problems).toEqual([]);
  }, 300_000);

  it('answers every command within 5 s on the data directory the server uses (shared safely)', async () => {
    const problems: string[] = [];
    for (const command of commands) problems.push(...problemsOf(await pupitre([...command.args, '--data-dir', serverDir]), command.exit));
    expect(problems).toEqual([]);
  }, 300_000);

  it('refuses a second server on the same data directory at once, naming the running one', async () => {
    const run = await pupitre(['serve', '--demo', '--data-dir', serverDir]);
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
    expect(run.out + run.err).toMatch(/déjà ouvert/);
    expect(run.out + run.err).toContain(String(server?.child.pid));
  });

  it('starts a server on another data directory within 5 s', async () => {
    const other = mkdtempSync(join(tmpdir(), 'pupitre-timing-serve2-'));
    const started = performance.now();
    const second = await startLongRunning(['serve', '--demo', '--json', '--data-dir', other], /"url"/, DEADLINE_MS + 1_000);
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
    await second.stop();
  });
});
