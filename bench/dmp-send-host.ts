/**
 * The host side of the DMP « send » bench, in its own process (bench/dmp.bench.ts starts it): it
 * imports only what the desk's host imports for this path (database, outbox, DMP service, HTTP),
 * so the RSS the parent samples from /proc is the host's own, harness excluded.
 *
 * Protocol: options as JSON on argv[2]; one JSON line per step on stdout
 * (`{"step":"queued",…}`, `{"step":"sync-start"}`, `{"step":"sent",…}`, `{"step":"done",…}`); the
 * parent resets the peak RSS between `sync-start` and the sync (Linux clear_refs) and reads it after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../electron/platform/clock';
import { generateKeyHex } from '../electron/platform/db/key';
import { openDatabase } from '../electron/platform/db';
import { HttpClient } from '../electron/platform/http';
import { DMP_SEND_CONCURRENCY, DmpService, type DmpPatient } from '../electron/services/dmp';
import { Outbox } from '../electron/services/outbox';
import { makePdf } from '../fixtures/sim/dmp/pdf';
import { CRASH_PATIENT, demoDmpPractitioner, demoDmpSettings, dmpTransports, migrateForDmp } from '../fixtures/wiring/dmp';
import { ensureSharedTestPki } from '../fixtures/sim/pki';
import { deskAudit, openDeskLogger } from './desk';
import { sampleDocument, sendStages } from './dmp-send-stages';

interface Options {
  url: string;
  drainUrl: string;
  docs: number;
  docBytes: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const patient: DmpPatient = CRASH_PATIENT;

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Waits for the parent's go (one line on stdin) after a step it measures around. */
function waitForGo(): Promise<void> {
  return new Promise((resolve) => process.stdin.once('data', () => resolve()));
}

async function main(): Promise<void> {
  const pki = await ensureSharedTestPki();
  const transports = dmpTransports(pki);
  const dir = mkdtempSync(join(tmpdir(), 'bench-dmp-'));
  const db = openDatabase({ path: join(dir, 'pupitre.db'), keyHex: generateKeyHex() });
  migrateForDmp(db, { outbox: true, audit: true });
  const clock = systemClock;
  // As the desk's host runs (electron/host/main.ts, compose.ts): log lines at 'info' written out
  // one by one (here to /dev/null), and every access in the encrypted audit trail of the same base.
  const deskLog = openDeskLogger(clock);
  const logger = deskLog.logger;
  const audit = deskAudit(db, clock);
  const practitioner = demoDmpPractitioner(pki);
  const outbox = new Outbox({ db, clock, logger, audit });
  const service = new DmpService({
    db,
    clock,
    logger,
    audit,
    http: (c) => transports[c],
    practitioner: () => practitioner,
    patient: () => patient,
    settings: () => demoDmpSettings(options.url),
    outbox,
    contentFolder: join(dir, 'dmp-envois'),
  });
  try {
    say({ step: 'ready' });
    await waitForGo();
    // Queueing time: the `send` calls only (the bench makes each PDF just before, untimed).
    let enqueueMs = 0;
    for (let i = 0; i < options.docs; i++) {
      const content = makePdf(`Document ${i}`, [], options.docBytes - 600);
      const started = performance.now();
      await service.send({ patientId: patient.id, fileName: `doc-${i}.pdf`, content, typeCode: '11488-4' }, 'bench');
      enqueueMs += performance.now() - started;
    }
    let t = performance.now();
    // hr: the monotonic clock in µs, the clock of V8's CPU profiles (BENCH_CPU_PROF_DIR).
    say({ step: 'queued', enqueueMs, hr: Number(process.hrtime.bigint() / 1000n) });
    await waitForGo();
    t = performance.now();
    await outbox.syncNow();
    const sendMs = performance.now() - t;
    const sent = service.sendings(patient.id).filter((s) => s.state === 'sent').length;
    say({ step: 'sent', sendMs, sent, hr: Number(process.hrtime.bigint() / 1000n) });
    await waitForGo();
    // Loopback bound: the same number of bytes, same mutual TLS, as many requests at a time as the queue's concurrency.
    const sample = Buffer.from(sampleDocument(practitioner, options.docBytes).xml, 'utf8');
    const http = new HttpClient({ tls: { ca: pki.caBundlePem, clientCertificate: { kind: 'pem', key: pki.practitioner.authentication.privateKeyPem, cert: pki.practitioner.authentication.chainPem.slice(0, 2).join('') } } });
    // Three runs, the median kept: one run's figure moves by a third from run to run on a shared
    // machine, and the ratio is divided by it.
    const bounds: number[] = [];
    for (let run = 0; run < 3; run++) {
      t = performance.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < options.docs) {
          next += 1;
          await http.request({ method: 'POST', url: options.drainUrl, body: sample, headers: { 'content-type': 'application/octet-stream' } });
        }
      };
      await Promise.all(Array.from({ length: DMP_SEND_CONCURRENCY }, worker));
      bounds.push(performance.now() - t);
    }
    const boundMs = [...bounds].sort((a, b) => a - b)[1] as number;
    http.close();
    // Stage by stage, each stage alone on a sample of documents (same code as above).
    const stages = await sendStages({ pki, practitioner, docBytes: options.docBytes, samples: Math.min(20, options.docs) });
    say({ step: 'done', boundMs, boundRuns: bounds, bytes: sample.length, stages });
  } finally {
    transports.CPS.close();
    transports.STRUCTURE.close();
    await outbox.stop(1_000);
    db.close();
    deskLog.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
